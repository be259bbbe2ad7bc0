package spec

import (
	"fmt"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// RuleKind is one kind of survivorship rule: how a chain writes it, what
// is checked about it, and the text of its parameters in the rule set's
// canonical text. Adding a kind is one entry of RuleKinds here and its
// score in generator/plan (ruleScores); the tests of both packages iterate
// RuleKinds, so that a kind missing a piece fails them.
type RuleKind struct {
	Name string
	// Bare is true when a chain may name the rule alone (`- most_recent`).
	Bare bool
	// Keys are the keys of the rule's mapping form, its name first, each
	// with what reads its value into the rule; none when the rule has no
	// mapping form.
	Keys []RuleKey
	// Params are the names of the Rule fields that hold the rule's
	// parameters. Fields no kind names are positions, not parameters.
	Params []string
	// Check returns what is wrong with a rule of this kind in field f's
	// chain (sources: the spec's source names); nil when nothing is.
	Check func(s *Spec, f *Field, r *Rule, sources map[string]bool) []Error
	// Text is the canonical text of the rule's parameters (RulesetText in
	// generator/plan): each parameter that changes what the rule decides,
	// and nothing else (no positions); "" for a rule without parameters.
	Text func(r *Rule) string
}

// RuleKey is one key of a rule's mapping form.
type RuleKey struct {
	Name string
	// load reads the key's value v into r and reports whether it is
	// valid; errors go to the loader.
	load func(l *loader, file string, k, v *yaml.Node, r *Rule, what string) bool
}

// RuleKinds are the kinds of rule, in the order error messages list them.
var RuleKinds = []RuleKind{
	{
		Name:   RulePriority,
		Keys:   []RuleKey{{Name: RulePriority, load: loadPriority}},
		Params: []string{"Priority"},
		Check:  checkPriority,
		Text:   func(r *Rule) string { return fmt.Sprintf("%q", r.Priority) },
	},
	{
		Name:   RuleTrust,
		Keys:   []RuleKey{{Name: RuleTrust, load: loadTrust}, {Name: "decay", load: loadDecay}},
		Params: []string{"Trust", "Decay"},
		Check:  checkTrust,
		Text:   trustText,
	},
	{
		Name:   RuleValid,
		Bare:   true,
		Keys:   []RuleKey{{Name: RuleValid, load: loadValid}},
		Params: []string{"Downgrade"},
		Check:  checkValid,
		Text:   func(r *Rule) string { return fmt.Sprintf("(downgrade=%t)", r.Downgrade) },
	},
	{Name: RuleMostRecent, Bare: true, Text: noParams},
	{Name: RuleNonNull, Bare: true, Text: noParams},
	{Name: RuleFrequency, Bare: true, Text: noParams},
}

// RuleKindByName returns the kind named name, or nil.
func RuleKindByName(name string) *RuleKind {
	for i := range RuleKinds {
		if RuleKinds[i].Name == name {
			return &RuleKinds[i]
		}
	}
	return nil
}

func noParams(*Rule) string { return "" }

// ruleNames are the names of the kinds written alone (bare) or the keys
// of the mapping forms.
func ruleNames(bare bool) []string {
	var out []string
	for _, k := range RuleKinds {
		if bare && k.Bare {
			out = append(out, k.Name)
		}
		if !bare && len(k.Keys) > 0 {
			out = append(out, k.Name)
		}
	}
	return out
}

// ruleKeys are every key of the mapping forms.
func ruleKeys() []string {
	var out []string
	for _, k := range RuleKinds {
		for _, key := range k.Keys {
			out = append(out, key.Name)
		}
	}
	return out
}

// orList joins names as "a, b or c".
func orList(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// rule reads one rule of a chain: a kind's name, or a mapping of its keys.
func (l *loader) rule(f string, n *yaml.Node, what string) (Rule, bool) {
	r := Rule{Pos: pos(f, n)}
	if n.Kind == yaml.ScalarNode {
		if k := RuleKindByName(n.Value); k != nil && k.Bare {
			r.Kind = n.Value
			return r, true
		}
		l.errf(f, n, "%s: unknown rule %q (expected %s, or a mapping with %s)", what, n.Value, strings.Join(ruleNames(true), ", "), orList(ruleNames(false)))
		return r, false
	}
	if n.Kind != yaml.MappingNode {
		l.errf(f, n, "%s: a rule must be a name or a mapping", what)
		return r, false
	}
	ok := true
	// The keys given that belong to a kind's mapping without naming it
	// (decay), by the kind they go with.
	var extras [][2]string
	l.mapping(f, n, what, ruleKeys(), func(key string, k, v *yaml.Node) {
		for _, kind := range RuleKinds {
			for i, rk := range kind.Keys {
				if rk.Name != key {
					continue
				}
				if i == 0 {
					r.Kind = kind.Name
					r.Pos = pos(f, k)
				} else {
					extras = append(extras, [2]string{key, kind.Name})
				}
				if !rk.load(l, f, k, v, &r, what) {
					ok = false
				}
			}
		}
	})
	if r.Kind == "" {
		l.errf(f, n, "%s: a rule mapping needs %s", what, orList(ruleNames(false)))
		return r, false
	}
	for _, e := range extras {
		if e[1] != r.Kind {
			l.errf(f, n, "%s: %s goes with %s", what, e[0], e[1])
		}
	}
	return r, ok
}

func loadPriority(l *loader, f string, k, v *yaml.Node, r *Rule, what string) bool {
	r.Priority = l.strs(f, v, what+": priority")
	for i := range r.Priority {
		at := v
		if v.Kind == yaml.SequenceNode {
			at = v.Content[i]
		}
		r.PriorityPos = append(r.PriorityPos, pos(f, at))
	}
	return true
}

func loadTrust(l *loader, f string, k, v *yaml.Node, r *Rule, what string) bool {
	l.mapping(f, v, what+": trust", nil, func(src string, k, v *yaml.Node) {
		w := l.float(f, v, fmt.Sprintf("%s: trust for %q", what, src))
		if w < 0 || w > 1 {
			l.errf(f, v, "%s: trust for %q must be between 0 and 1", what, src)
		}
		r.Trust = append(r.Trust, SourceWeight{Source: src, Weight: w, Pos: pos(f, k)})
	})
	return true
}

func loadDecay(l *loader, f string, k, v *yaml.Node, r *Rule, what string) bool {
	r.Decay = l.decay(f, v, what+": decay")
	return true
}

func loadValid(l *loader, f string, k, v *yaml.Node, r *Rule, what string) bool {
	switch mode := l.str(f, v, what+": valid"); mode {
	case "drop":
	case "downgrade":
		r.Downgrade = true
	default:
		l.errf(f, v, "%s: valid must be drop or downgrade, not %q", what, mode)
		return false
	}
	return true
}

func checkPriority(s *Spec, f *Field, r *Rule, sources map[string]bool) []Error {
	var errs []Error
	if len(r.Priority) == 0 {
		errs = append(errs, Error{Pos: r.Pos, Msg: fmt.Sprintf("rules for %q: priority lists no source", f.Name)})
	}
	dup := map[string]bool{}
	for i, name := range r.Priority {
		at := r.Pos
		if i < len(r.PriorityPos) {
			at = r.PriorityPos[i]
		}
		if !sources[name] {
			errs = append(errs, Error{Pos: at, Msg: fmt.Sprintf("rule %q names unknown source %q%s", "priority", name, didYouMean(name, s.SourceNames()))})
		}
		if dup[name] {
			errs = append(errs, Error{Pos: at, Msg: fmt.Sprintf("rules for %q: priority lists %q twice", f.Name, name)})
		}
		dup[name] = true
	}
	return errs
}

func checkTrust(s *Spec, f *Field, r *Rule, sources map[string]bool) []Error {
	var errs []Error
	if len(r.Trust) == 0 {
		errs = append(errs, Error{Pos: r.Pos, Msg: fmt.Sprintf("rules for %q: trust lists no source", f.Name)})
	}
	for _, w := range r.Trust {
		if !sources[w.Source] {
			errs = append(errs, Error{Pos: w.Pos, Msg: fmt.Sprintf("rule %q names unknown source %q%s", "trust", w.Source, didYouMean(w.Source, s.SourceNames()))})
		}
	}
	return errs
}

func checkValid(s *Spec, f *Field, r *Rule, sources map[string]bool) []Error {
	if f.Valid == "" && len(f.Accepted) == 0 && f.Type == TypeString {
		return []Error{{Pos: r.Pos, Msg: fmt.Sprintf("rules for %q: rule valid needs the field to declare accepted values or a validator", f.Name)}}
	}
	return nil
}

func trustText(r *Rule) string {
	var ws []string
	for _, w := range r.Trust {
		ws = append(ws, fmt.Sprintf("%q:%s", w.Source, num(w.Weight)))
	}
	text := fmt.Sprintf("{%s}", strings.Join(ws, ","))
	if d := r.Decay; d != nil {
		text += fmt.Sprintf("decay(%s,half_life=%s,over=%s,min=%s,max=%s)", d.Curve, d.HalfLife, d.Over, num(d.Min), num(d.Max))
	}
	return text
}

// num writes a number in the fewest digits that read back as it.
func num(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }
