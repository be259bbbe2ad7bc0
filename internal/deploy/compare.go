package deploy

import (
	"context"

	"github.com/ledgerloop/trueup/generator/emit"
	"github.com/ledgerloop/trueup/generator/textdiff"
)

// objectState is how a deployed repeatable object compares with its
// generated file: the one comparison Plan and Drift share, so that what
// plan would replace is what drift reports.
type objectState struct {
	exists bool
	// deployed and want are the definitions in the warehouse's normal
	// form (Warehouse.Definition and Warehouse.Canonical).
	deployed, want string
	// err is Canonical's error: the desired definition cannot be rendered
	// (wrapping ErrCannotCompare when the warehouse cannot tell yet).
	err error
}

// compareObject reads the deployed definition of f's object and, when it
// exists, the definition f creates.
func compareObject(ctx context.Context, t *Target, d *Desired, f emit.File) (objectState, error) {
	deployed, ok, err := t.Warehouse.Definition(ctx, t.DB, d.R, f)
	if err != nil || !ok {
		return objectState{}, err
	}
	want, err := t.Warehouse.Canonical(ctx, t.DB, d.R, f)
	return objectState{exists: true, deployed: deployed, want: want, err: err}, nil
}

// same reports whether the object exists and its normal form is the one
// its file creates.
func (o objectState) same() bool { return o.exists && o.err == nil && o.deployed == o.want }

// diff is a unified diff from the deployed definition to the desired one.
func (o objectState) diff(t *Target, d *Desired, f emit.File) string {
	return textdiff.Unified(t.Name+": "+f.Object.Ref.String(), d.path(f), o.deployed+"\n", o.want+"\n")
}
