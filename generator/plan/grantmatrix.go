package plan

import (
	"fmt"
	"strings"
)

// GrantMatrix is the roles' privileges as a Markdown table, role × object
// × privileges, in the order the roles and grants are created: what a
// review of a change to the roles reads (generator/testdata/grants.md).
func (p *Plan) GrantMatrix() string {
	var b strings.Builder
	b.WriteString("# Roles and grants\n\n")
	b.WriteString("Generated from models/ by `go test ./generator -run GrantMatrix -update`. Do not edit.\n\n")
	b.WriteString("| role | inherits | on | object | privileges |\n| --- | --- | --- | --- | --- |\n")
	for _, o := range p.Roles() {
		r := o.Role
		inh := strings.Join(r.Inherits, ", ")
		if len(r.Grants) == 0 && len(r.AccountGrants) == 0 {
			fmt.Fprintf(&b, "| %s | %s | | | |\n", r.Name, inh)
		}
		for _, g := range r.Grants {
			on, obj := g.On, g.Ref.String()
			switch {
			case g.Future:
				on, obj = "FUTURE "+g.On, "in schema "+g.Ref.Schema
			case g.On == "DATABASE":
				obj = p.Spec.Project.Database
			case g.On == "WAREHOUSE":
				obj = g.Ref.Name
			case g.On == "PROCEDURE":
				var args []string
				for _, a := range g.Args {
					args = append(args, typeWord(a))
				}
				obj += "(" + strings.Join(args, ", ") + ")"
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", r.Name, inh, on, obj, strings.Join(g.Privileges, ", "))
		}
		if len(r.AccountGrants) > 0 {
			fmt.Fprintf(&b, "| %s | %s | ACCOUNT | (granted once by an account administrator) | %s |\n", r.Name, inh, strings.Join(r.AccountGrants, ", "))
		}
	}
	b.WriteString("\nMasking (tag " + strings.ToUpper(p.Spec.Project.Database+"."+PIITag.String()) + "): ")
	b.WriteString(RoleName(p.Spec, RolePIIReader) + " and " + RoleName(p.Spec, RoleTransformer) + " (and the roles that inherit them: " +
		RoleName(p.Spec, RoleDeployer) + ", which owns and runs the tasks) read PII in full; " +
		RoleName(p.Spec, RoleAnalyst) + " and " + RoleName(p.Spec, RoleSteward) + " read `***` (an email `***@domain`); every other role NULL.\n\n")
	b.WriteString("| object | column | tag value |\n| --- | --- | --- |\n")
	for _, c := range p.PIIColumns() {
		fmt.Fprintf(&b, "| %s %s | %s | %s |\n", strings.ReplaceAll(string(c.Kind), "_", " "), c.Object, c.Column, c.Value)
	}
	return b.String()
}
