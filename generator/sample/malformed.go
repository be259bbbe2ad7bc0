package sample

import (
	"math/rand/v2"
	"slices"
)

// garbageLines are things that end up in landing files that are not
// events: a proxy error page, a log line, a stray CSV header.
var garbageLines = []string{
	`<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>`,
	`Connection reset by peer; retrying batch 7 of 12`,
	`id,email,name,status,plan`,
}

// addMalformed puts one line that is not JSON into one file of the feed:
// for even-numbered sources a torn line (a prefix of an event, as left by an
// interrupted write, followed by the complete event), for odd-numbered ones
// a line of garbage. Sources use different files, so malformed lines land in
// distinct files. It returns the number of lines added.
func addMalformed(f *feed, g *rand.Rand, source int) int {
	if len(f.files) == 0 {
		return 0
	}
	i := (source + 1) % len(f.files)
	lines := f.files[i]
	if source%2 == 0 && len(lines) > 0 {
		at := g.IntN(len(lines))
		l := lines[at]
		cut := len(l)/3 + g.IntN(len(l)/2)
		f.files[i] = slices.Insert(lines, at, l[:cut:cut])
		return 1
	}
	f.files[i] = slices.Insert(lines, g.IntN(len(lines)+1), []byte(pick(g, garbageLines)))
	return 1
}
