package spec

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// build turns the merged sections into a Spec and validates it.
func (l *loader) build() *Spec {
	s := &Spec{}
	for _, name := range []string{"project", "customer", "sources"} {
		if _, ok := l.sections[name]; !ok && !l.syntaxError {
			l.errs = append(l.errs, Error{Pos: Pos{File: "models"}, Msg: fmt.Sprintf("missing section %q", name)})
		}
	}
	if sec, ok := l.sections["project"]; ok {
		l.project(sec, s)
	}
	if sec, ok := l.sections["customer"]; ok {
		l.customer(sec, s)
	}
	if sec, ok := l.sections["sources"]; ok {
		l.sources(sec, s)
	}
	if sec, ok := l.sections["rules"]; ok {
		l.rules(sec, s)
	}
	for _, c := range BuiltinChecks {
		c := c
		s.Checks = append(s.Checks, &c)
	}
	if sec, ok := l.sections["checks"]; ok {
		l.checks(sec, s)
	}
	s.Retention = DefaultRetention()
	if sec, ok := l.sections["retention"]; ok {
		l.retention(sec, s)
	}
	l.check(s)
	return s
}

func (l *loader) project(sec section, s *Spec) {
	f := sec.file
	p := &s.Project
	p.Pos = pos(f, sec.key)
	p.Schedule = defaultSchedule
	p.FreshnessTarget = defaultFreshness
	p.BackfillSlice = DefaultBackfillSlice
	known := []string{"name", "database", "warehouse", "schedule", "freshness_target", "backfill_slice", "ruleset", "stage", "tasks", "row_access", "overrides"}
	var tasksSet map[string]bool
	l.mapping(f, sec.val, "project", known, func(key string, k, v *yaml.Node) {
		what := "project." + key
		switch key {
		case "name":
			p.Name = l.str(f, v, what)
		case "database":
			p.Database = l.ident(f, v, what)
		case "warehouse":
			p.Warehouse = l.ident(f, v, what)
		case "schedule":
			before := len(l.errs)
			p.Schedule = l.duration(f, v, what)
			if len(l.errs) == before && p.Schedule < time.Second {
				l.errf(f, v, "%s %s: want 1s or more (the task graph and the local poller run on it)", what, v.Value)
				p.Schedule = defaultSchedule
			}
		case "freshness_target":
			p.FreshnessTarget = l.duration(f, v, what)
		case "backfill_slice":
			x := l.float(f, v, what)
			if x != float64(int(x)) || x < 1 || x > 1e9 {
				l.errf(f, v, "%s: want a whole number of customers from 1 to 1000000000, got %s", what, v.Value)
			} else {
				p.BackfillSlice = int(x)
			}
		case "ruleset":
			p.RulesetLabel = l.str(f, v, what)
		case "overrides":
			l.mapping(f, v, what, []string{"keep_when_source_agrees"}, func(key string, k, v *yaml.Node) {
				p.KeepOverrides = l.boolean(f, v, what+"."+key)
			})
		case "stage":
			l.mapping(f, v, what, []string{"url", "storage_integration", "kms_key_id"}, func(key string, k, v *yaml.Node) {
				switch key {
				case "kms_key_id":
					p.KMSKeyID = l.str(f, v, what+".kms_key_id")
				case "url":
					p.StageURL = l.str(f, v, what+".url")
				case "storage_integration":
					p.StorageIntegration = l.ident(f, v, what+".storage_integration")
				}
			})
		case "tasks":
			tasksSet = l.taskPolicy(f, k, v, &p.Tasks)
		case "row_access":
			ra := &RowAccess{Pos: pos(f, k)}
			l.mapping(f, v, what, []string{"field", "mapping"}, func(key string, k, v *yaml.Node) {
				switch key {
				case "field":
					ra.Field = l.str(f, v, what+".field")
					ra.Pos = pos(f, v)
				case "mapping":
					ra.Mapping = l.ident(f, v, what+".mapping")
				}
			})
			if ra.Field == "" || ra.Mapping == "" {
				l.errf(f, k, "%s: field and mapping are required", what)
			}
			p.RowAccess = ra
		}
		if key == "stage" && strings.HasPrefix(strings.ToLower(p.StageURL), "s3://") && p.KMSKeyID == "" {
			l.errf(f, k, "project.stage: kms_key_id is required with an s3:// url (the stage declares server-side encryption with AWS KMS)")
		}
	})
	defaultTaskPolicy(p, tasksSet)
	if p.Database == "" {
		l.errf(f, sec.key, "project: database is required")
	}
	if p.Warehouse == "" {
		l.errf(f, sec.key, "project: warehouse is required")
	}
	if p.Name == "" {
		p.Name = "trueup"
	}
}

func (l *loader) customer(sec section, s *Spec) {
	f := sec.file
	l.mapping(f, sec.val, "customer", []string{"fields", "match"}, func(key string, k, v *yaml.Node) {
		if key == "match" {
			s.Match = l.strs(f, v, "customer.match")
			s.MatchPos = pos(f, v)
			return
		}
		l.mapping(f, v, "customer.fields", nil, func(name string, k, v *yaml.Node) {
			fld := &Field{Name: name, Type: TypeString, Pos: pos(f, k)}
			l.name(f, k, "field")
			what := fmt.Sprintf("field %q", name)
			l.mapping(f, v, what, []string{"type", "pii", "normalize", "map", "accepted", "valid"}, func(key string, k, v *yaml.Node) {
				switch key {
				case "type":
					fld.Type = l.str(f, v, what+": type")
					l.oneOf(f, v, what, "type", fld.Type, fieldTypes)
				case "pii":
					fld.PII = l.boolean(f, v, what+": pii")
				case "normalize":
					fld.Normalize = l.strs(f, v, what+": normalize")
					for i, n := range fld.Normalize {
						at := v
						if v.Kind == yaml.SequenceNode {
							at = v.Content[i]
						}
						l.oneOf(f, at, what, "normalizer", n, normalizers)
					}
				case "map":
					fld.Map = l.pairs(f, v, what+": map")
				case "accepted":
					fld.Accepted = l.strs(f, v, what+": accepted")
				case "valid":
					fld.Valid = l.str(f, v, what+": valid")
					l.oneOf(f, v, what, "validator", fld.Valid, validators)
				}
			})
			s.Fields = append(s.Fields, fld)
		})
	})
	if len(s.Fields) == 0 {
		l.errf(f, sec.key, "customer: at least one field is required")
	}
}

func (l *loader) sources(sec section, s *Spec) {
	f := sec.file
	l.mapping(f, sec.val, "sources", nil, func(name string, k, v *yaml.Node) {
		src := &Source{Name: name, Pos: pos(f, k)}
		l.name(f, k, "source")
		what := fmt.Sprintf("source %q", name)
		var keyNode *yaml.Node
		known := []string{"system", "format", "table", "object", "landing", "framing", "key", "customer", "fields", "children"}
		src.Framing = FramingLines
		l.mapping(f, v, what, known, func(key string, k, v *yaml.Node) {
			switch key {
			case "system":
				src.System = l.str(f, v, what+": system")
			case "format":
				src.Format = l.str(f, v, what+": format")
				l.oneOf(f, v, what, "format", src.Format, formats)
			case "framing":
				src.Framing = l.str(f, v, what+": framing")
				if src.Framing != FramingLines && src.Framing != FramingDocuments {
					l.errf(f, v, "%s: framing %q: want %s (one JSON event a line, the default) or %s (whole JSON documents, pretty-printed or not)", what, src.Framing, FramingLines, FramingDocuments)
				}
			case "table":
				src.Table = l.str(f, v, what+": table")
			case "object":
				src.Object = l.str(f, v, what+": object")
			case "landing":
				src.Landing = l.str(f, v, what+": landing")
				if strings.Contains(src.Landing, "..") || strings.HasPrefix(src.Landing, "/") {
					l.errf(f, v, "%s: landing must be a relative folder without '..'", what)
				}
			case "key":
				keyNode = v
				src.Key = l.path(f, v, what+": key")
			case "children":
				l.mapping(f, v, what+": children", nil, func(name string, k, v *yaml.Node) {
					c := &Child{Name: name, Pos: pos(f, k)}
					l.name(f, k, "child")
					cw := fmt.Sprintf("%s: child %q", what, name)
					l.mapping(f, v, cw, []string{"object", "key", "parent", "current"}, func(key string, k, v *yaml.Node) {
						switch key {
						case "object":
							c.Object = l.str(f, v, cw+": object")
						case "key":
							c.Key = l.path(f, v, cw+": key")
						case "parent":
							c.Parent = l.path(f, v, cw+": parent")
						case "current":
							l.mapping(f, v, cw+": current", []string{"exclude", "latest"}, func(key string, k, v *yaml.Node) {
								switch key {
								case "exclude":
									l.mapping(f, v, cw+": current.exclude", nil, func(field string, k, v *yaml.Node) {
										c.ExcludeField = strings.Split(field, ".")
										c.ExcludeValues = l.strs(f, v, cw+": current.exclude")
									})
								case "latest":
									c.Latest = l.path(f, v, cw+": current.latest")
								}
							})
						}
					})
					if c.Object == "" || c.Key == nil || c.Parent == nil {
						l.errf(f, k, "%s: object, key and parent are required", cw)
					}
					if src.Format != FormatStripeEvents {
						l.errf(f, k, "%s: children are supported for format stripe_events only", cw)
					}
					src.Children = append(src.Children, c)
				})
			case "customer":
				src.Customer = l.path(f, v, what+": customer")
			case "fields":
				l.mapping(f, v, what+": fields", nil, func(field string, k, v *yaml.Node) {
					fm := FieldMap{Field: field, Pos: pos(f, k)}
					fw := fmt.Sprintf("%s: field %q", what, field)
					if v.Kind == yaml.MappingNode {
						l.mapping(f, v, fw, []string{"path", "map", "child"}, func(key string, k, v *yaml.Node) {
							switch key {
							case "path":
								fm.Path = l.path(f, v, fw+": path")
							case "map":
								fm.Map = l.pairs(f, v, fw+": map")
							case "child":
								fm.Child = l.str(f, v, fw+": child")
							}
						})
						if fm.Path == nil {
							l.errf(f, k, "%s: path is required", fw)
						}
					} else {
						fm.Path = l.path(f, v, fw)
					}
					src.Fields = append(src.Fields, fm)
				})
			}
		})
		if src.Format == "" {
			l.errf(f, k, "%s: format is required", what)
		}
		if src.Key == nil && keyNode == nil {
			l.errf(f, k, "%s: key is required", what)
		}
		if src.Landing == "" {
			src.Landing = name
		}
		switch src.Format {
		case FormatDebezium, FormatWal2JSON:
			if src.Table == "" {
				l.errf(f, k, "%s: table is required for format %s", what, src.Format)
			}
		case FormatSalesforceCDC, FormatStripeEvents:
			if src.Object == "" {
				l.errf(f, k, "%s: object is required for format %s", what, src.Format)
			}
		}
		s.Sources = append(s.Sources, src)
	})
	if len(s.Sources) == 0 {
		l.errf(f, sec.key, "sources: at least one source is required")
	}
}

// oneOf reports, at n, a value v of what's kind (a type, a format) that is
// not one of want.
func (l *loader) oneOf(f string, n *yaml.Node, what, kind, v string, want []string) {
	if !contains(want, v) {
		l.errf(f, n, "%s: unknown %s %q (expected one of %s)", what, kind, v, strings.Join(want, ", "))
	}
}

// path parses a dotted path into its segments.
func (l *loader) path(file string, n *yaml.Node, what string) []string {
	p := l.str(file, n, what)
	if p == "" {
		return nil
	}
	segs := strings.Split(p, ".")
	for _, s := range segs {
		if s == "" {
			l.errf(file, n, "%s: path %q has an empty segment", what, p)
			return nil
		}
	}
	return segs
}

func (l *loader) rules(sec section, s *Spec) {
	f := sec.file
	l.mapping(f, sec.val, "rules", nil, func(field string, k, v *yaml.Node) {
		fld := s.FieldByName(field)
		if fld == nil {
			l.errf(f, k, "rules: unknown field %q%s", field, didYouMean(field, s.FieldNames()))
			return
		}
		fld.RulesPos = pos(f, k)
		what := fmt.Sprintf("rules for %q", field)
		if v.Kind == yaml.MappingNode {
			l.mapping(f, v, what, []string{"same_record_as"}, func(key string, k, v *yaml.Node) {
				fld.SameRecordAs = l.str(f, v, what+": same_record_as")
				fld.SameRecordAsPos = pos(f, v)
			})
			return
		}
		if v.Kind != yaml.SequenceNode {
			l.errf(f, v, "%s must be a list of rules or {same_record_as: FIELD}", what)
			return
		}
		for _, rn := range v.Content {
			if r, ok := l.rule(f, rn, what); ok {
				fld.Rules = append(fld.Rules, r)
			}
		}
		if len(v.Content) == 0 {
			l.errf(f, v, "%s: the chain is empty", what)
		}
	})
}

func (l *loader) decay(f string, n *yaml.Node, what string) *Decay {
	d := &Decay{Min: 0, Max: 1}
	l.mapping(f, n, what, []string{"half_life", "linear_over", "min", "max"}, func(key string, k, v *yaml.Node) {
		switch key {
		case "half_life":
			d.Curve = "exponential"
			d.HalfLife = l.duration(f, v, what+": half_life")
		case "linear_over":
			d.Curve = "linear"
			d.Over = l.duration(f, v, what+": linear_over")
		case "min":
			d.Min = l.float(f, v, what+": min")
		case "max":
			d.Max = l.float(f, v, what+": max")
		}
	})
	if d.Curve == "" {
		l.errf(f, n, "%s: needs half_life or linear_over", what)
	}
	if d.HalfLife < 0 || d.Over < 0 || (d.Curve == "exponential" && d.HalfLife == 0) || (d.Curve == "linear" && d.Over == 0) {
		l.errf(f, n, "%s: the duration must be positive", what)
	}
	if d.Min < 0 || d.Max > 1 || d.Min > d.Max {
		l.errf(f, n, "%s: need 0 <= min <= max <= 1", what)
	}
	return d
}

func (l *loader) checks(sec section, s *Spec) {
	f := sec.file
	l.mapping(f, sec.val, "checks", nil, func(name string, k, v *yaml.Node) {
		c := s.CheckByName(name)
		if c == nil {
			var names []string
			for _, b := range BuiltinChecks {
				names = append(names, b.Name)
			}
			l.errf(f, k, "checks: unknown check %q (expected one of %s)", name, strings.Join(names, ", "))
			return
		}
		c.Pos = pos(f, k)
		l.checkSettings(f, v, "check "+strconv.Quote(name), c, true)
	})
}

func (l *loader) checkSettings(f string, n *yaml.Node, what string, c *Check, top bool) {
	known := []string{"severity", "z", "floor", "min_history", "share"}
	if top {
		known = append(known, "fields")
	}
	l.mapping(f, n, what, known, func(key string, k, v *yaml.Node) {
		switch key {
		case "severity":
			c.Severity = l.str(f, v, what+": severity")
			if c.Severity != "info" && c.Severity != "warn" && c.Severity != "error" {
				l.errf(f, v, "%s: severity must be info, warn or error, not %q", what, c.Severity)
			}
		case "share":
			c.Share = l.float(f, v, what+": share")
			if c.Share <= 0 || c.Share > 1 {
				l.errf(f, v, "%s: share must be above 0 and at most 1, not %v", what, c.Share)
			}
		case "z":
			c.Z = l.float(f, v, what+": z")
		case "floor":
			c.Floor = l.float(f, v, what+": floor")
		case "min_history":
			c.MinHistory = int(l.float(f, v, what+": min_history"))
		case "fields":
			c.Fields = map[string]*Check{}
			l.mapping(f, v, what+": fields", nil, func(name string, k, v *yaml.Node) {
				o := *c
				o.Fields = nil
				l.checkSettings(f, v, fmt.Sprintf("%s: fields: %q", what, name), &o, false)
				c.Fields[name] = &o
			})
		}
	})
}
