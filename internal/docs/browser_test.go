package docs

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ledgerloop/trueup/internal/testenv"
)

// chromium is the browser the test drives: Debian's package.
const chromium = "/usr/bin/chromium"

// browserPath returns the browser to drive. Without one the test fails,
// or is skipped when TRUEUP_SKIP_MISSING names browser (never under
// CI=true): testenv.MissingTool.
func browserPath(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat(chromium); err == nil {
		return chromium
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	testenv.MissingTool(t, testenv.ToolBrowser, "chromium is not installed", "make browser-deps: apt-get update && apt-get install -y chromium, as root")
	return ""
}

// TestBrowser opens the site of the fixture spec in a headless Chromium:
// the page renders without an error, the lineage graph has one box per
// object of the plan, following a box's link lands on the section with
// that id, and a full-page screenshot is kept as the test's artifact.
func TestBrowser(t *testing.T) {
	exe := browserPath(t)
	p := compile(t, fixture)
	dir := t.TempDir()
	index, err := Write(dir, p, nil)
	if err != nil {
		t.Fatal(err)
	}
	pageURL := (&url.URL{Scheme: "file", Path: filepath.ToSlash(index)}).String()

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.NoSandbox, // CI runs as root, where Chromium's sandbox refuses to start
		chromedp.DisableGPU,
		chromedp.WindowSize(1400, 1000),
		chromedp.Flag("user-data-dir", t.TempDir()),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	bctx, cancelTab := chromedp.NewContext(actx)
	defer cancelTab()

	// Every console message and uncaught exception, collected until the
	// tab closes.
	var mu sync.Mutex
	var messages []chromedp.ConsoleMessage
	console := chromedp.Console(bctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for m, err := range console {
			if err != nil {
				return
			}
			mu.Lock()
			messages = append(messages, m)
			mu.Unlock()
		}
	}()

	if err := chromedp.Do(bctx, chromedp.Navigate(pageURL)); err != nil {
		t.Fatalf("open %s: %v", pageURL, err)
	}
	title, err := chromedp.Run(bctx, chromedp.Title())
	if err != nil {
		t.Fatal(err)
	}
	if want := p.Spec.Project.Name + ": customer master pipeline"; title != want {
		t.Errorf("title %q, want %q", title, want)
	}

	// One box per object, each a link to the object's section.
	type box struct {
		Ref  string `json:"ref"`
		Href string `json:"href"`
	}
	boxes, err := chromedp.Run(bctx, chromedp.Evaluate[[]box](`Array.from(document.querySelectorAll('svg#lineage a.node')).map(a => ({ref: a.getAttribute('data-ref'), href: a.getAttribute('href')}))`))
	if err != nil {
		t.Fatal(err)
	}
	if len(boxes) != len(p.Objects) {
		t.Errorf("the lineage graph shows %d boxes, want one per plan object (%d)", len(boxes), len(p.Objects))
	}
	seen := map[string]bool{}
	for _, b := range boxes {
		seen[b.Ref] = true
	}
	for _, o := range p.Objects {
		if !seen[o.Ref.String()] {
			t.Errorf("object %s has no box in the lineage graph", o.Ref)
		}
	}
	wide, err := chromedp.Run(bctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1 && !(e.parentElement && e.parentElement.closest('.graph-wrap, table'))).slice(0, 8).map(e => e.tagName + '.' + e.className + '#' + e.id + ' ' + Math.round(e.getBoundingClientRect().right))`))
	if err != nil {
		t.Fatal(err)
	}
	if len(wide) > 0 {
		t.Errorf("wider than the window (only graphs and tables may scroll): %v", wide)
	}
	drawn, err := chromedp.Run(bctx, chromedp.Evaluate[int](`document.querySelectorAll('svg#lineage path.edge').length`))
	if err != nil {
		t.Fatal(err)
	}
	if drawn == 0 {
		t.Error("the lineage graph draws no edge")
	}
	missing, err := chromedp.Run(bctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('a[href^="#"]')).map(a => a.getAttribute('href')).filter(h => !document.getElementById(decodeURIComponent(h.slice(1))))`))
	if err != nil {
		t.Fatal(err)
	}
	if len(missing) > 0 {
		t.Errorf("links to no element: %v", missing)
	}

	// Clicking boxes (with the mouse, where the layout put them) lands on
	// their sections: the location's fragment, :target and the section
	// scrolled into the window.
	src := p.Spec.Sources[0].Name
	for _, ref := range []string{src + "_stage", "customer_master", "task_reconcile"} {
		var b *box
		for i := range boxes {
			if strings.HasSuffix(boxes[i].Ref, "."+ref) {
				b = &boxes[i]
			}
		}
		if b == nil {
			t.Errorf("no box of %s", ref)
			continue
		}
		sel := fmt.Sprintf(`svg#lineage a.node[data-ref=%q]`, b.Ref)
		if err := chromedp.Do(bctx, chromedp.Click(chromedp.CSS(sel))); err != nil {
			t.Fatalf("click %s: %v", b.Ref, err)
		}
		type landing struct {
			Hash   string  `json:"hash"`
			Target string  `json:"target"`
			Top    float64 `json:"top"`
			Height float64 `json:"height"`
		}
		var got landing
		for range 50 {
			got, err = chromedp.Run(bctx, chromedp.Evaluate[landing](`(() => { const t = document.querySelector(':target'); return {hash: location.hash, target: t ? t.id : '', top: t ? t.getBoundingClientRect().top : -1, height: window.innerHeight}; })()`))
			if err != nil {
				t.Fatal(err)
			}
			if got.Hash == b.Href {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		if got.Hash != b.Href || "#"+got.Target != b.Href {
			t.Errorf("click on %s: location %q, :target %q, want %s", b.Ref, got.Hash, got.Target, b.Href)
		}
		if got.Top < -1 || got.Top > got.Height {
			t.Errorf("click on %s: section %s at %v px, outside the window (%v px)", b.Ref, got.Target, got.Top, got.Height)
		}
	}

	if err := chromedp.Do(bctx, chromedp.Navigate(pageURL)); err != nil {
		t.Fatal(err)
	}
	shot, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.ArtifactDir(), "docs.png")
	if err := os.WriteFile(out, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s (%d bytes; kept with go test -artifacts)", out, len(shot))

	cancelTab()
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	for _, m := range messages {
		if slices.Contains([]chromedp.ConsoleType{chromedp.ConsoleError, chromedp.ConsoleException}, m.Type) {
			t.Errorf("console %s: %s (%s:%d)", m.Type, m.Text, m.URL, m.Line+1)
		} else {
			t.Logf("console %s: %s", m.Type, m.Text)
		}
	}
}
