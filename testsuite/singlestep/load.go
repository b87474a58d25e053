package singlestep

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"
)

// DataDirRel is where the vectors live relative to the repository root.
const DataDirRel = "../shared/testdata/singlestep-80286"

// MissingDataError reports that the test vectors are not available. Tests
// skip on it (errors.As) rather than fail.
type MissingDataError struct {
	Path   string // where they were looked for ("" if the root was not found)
	Reason string
}

func (e *MissingDataError) Error() string {
	if e.Path == "" {
		return "singlestep: test vectors not found: " + e.Reason
	}
	return fmt.Sprintf("singlestep: test vectors not found at %s (%s; they are expected at %s relative to the repository root)",
		e.Path, e.Reason, DataDirRel)
}

// FindDataDir walks up from start (a test's working directory) to the
// directory holding go.mod and returns the vectors' folder next to it, or a
// *MissingDataError when there is none.
func FindDataDir(start string) (string, error) {
	dir, err := filepath.Abs(start)
	if err != nil {
		return "", err
	}
	for {
		if fi, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil && !fi.IsDir() {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", &MissingDataError{Reason: "no go.mod above " + start}
		}
		dir = parent
	}
	data := filepath.Clean(filepath.Join(dir, DataDirRel))
	if _, _, err := ResolveDir(data); err != nil {
		return "", err
	}
	return data, nil
}

// ResolveDir accepts the singlestep-80286 folder or its v1_real_mode
// subfolder and returns the folder holding the MOO files and the path of
// the revocation list ("" when there is none).
func ResolveDir(dir string) (mooDir, revocations string, err error) {
	fi, err := os.Stat(dir)
	if err != nil || !fi.IsDir() {
		return "", "", &MissingDataError{Path: dir, Reason: "no such directory"}
	}
	mooDir = dir
	if fi, err := os.Stat(filepath.Join(dir, "v1_real_mode")); err == nil && fi.IsDir() {
		mooDir = filepath.Join(dir, "v1_real_mode")
	}
	for _, d := range []string{mooDir, filepath.Dir(mooDir)} {
		p := filepath.Join(d, "revocation_list.txt")
		if _, err := os.Stat(p); err == nil {
			revocations = p
			break
		}
	}
	return mooDir, revocations, nil
}

// ListFiles returns the base names of the MOO files in a directory, sorted,
// that pass filter (nil: all).
func ListFiles(mooDir string, filter func(file string) bool) ([]string, error) {
	entries, err := os.ReadDir(mooDir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || !(strings.HasSuffix(n, ".MOO.gz") || strings.HasSuffix(n, ".MOO")) {
			continue
		}
		if filter == nil || filter(n) {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names, nil
}

// LoadedFile is one parsed MOO file.
type LoadedFile struct {
	Name string // base name, "80.1.MOO.gz"
	*File
	Err error // read or parse error (File is nil)
}

// Suite is a loaded directory of vectors.
type Suite struct {
	Dir      string // folder of the MOO files
	Metadata *Metadata
	Revoked  Revocations
	Files    []LoadedFile
	// ParseTime is the wall time LoadDir took for the MOO files.
	ParseTime time.Duration
}

// Tests returns the total number of tests loaded.
func (s *Suite) Tests() int {
	n := 0
	for _, f := range s.Files {
		if f.File != nil {
			n += len(f.Tests)
		}
	}
	return n
}

// loadSide reads metadata.json and the revocation list of a directory.
func loadSide(dir string) (mooDir string, md *Metadata, rev Revocations, err error) {
	mooDir, revPath, err := ResolveDir(dir)
	if err != nil {
		return "", nil, nil, err
	}
	if p := filepath.Join(mooDir, "metadata.json"); fileExists(p) {
		if md, err = ReadMetadata(p); err != nil {
			return "", nil, nil, err
		}
	}
	if revPath != "" {
		if rev, err = ReadRevocations(revPath); err != nil {
			return "", nil, nil, err
		}
	}
	return mooDir, md, rev, nil
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// LoadDir reads and parses every MOO file of a directory that passes filter
// (nil: all), in parallel, with metadata.json and the revocation list. A
// file that cannot be parsed is kept with its Err; the returned error joins
// those errors.
func LoadDir(dir string, filter func(file string) bool) (*Suite, error) {
	mooDir, md, rev, err := loadSide(dir)
	if err != nil {
		return nil, err
	}
	names, err := ListFiles(mooDir, filter)
	if err != nil {
		return nil, err
	}
	s := &Suite{Dir: mooDir, Metadata: md, Revoked: rev, Files: make([]LoadedFile, len(names))}
	start := time.Now()
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				f, err := ReadFile(filepath.Join(mooDir, names[i]))
				s.Files[i] = LoadedFile{Name: names[i], File: f, Err: err}
			}
		}()
	}
	for i := range names {
		next <- i
	}
	close(next)
	wg.Wait()
	s.ParseTime = time.Since(start)
	var errs []error
	for _, f := range s.Files {
		if f.Err != nil {
			errs = append(errs, f.Err)
		}
	}
	return s, errors.Join(errs...)
}

// Summary is the outcome of a run over many files.
type Summary struct {
	Dir     string
	Files   []FileResult
	Passed  int
	Failed  int
	Skipped int // revoked tests
	// Known counts failures per known-difference category (they are
	// included in Failed).
	Known map[string]int
	// Categories are the categories used, in order, for the report.
	Categories []Category
	// Elapsed is the wall time of the whole run, loading included.
	Elapsed time.Duration
}

// KnownTotal is the number of failures in known-difference categories.
func (s *Summary) KnownTotal() int {
	n := 0
	for _, v := range s.Known {
		n += v
	}
	return n
}

func (s *Summary) add(r FileResult) {
	s.Files = append(s.Files, r)
	s.Passed += r.Passed
	s.Failed += r.Failed
	s.Skipped += r.Skipped
	for k, v := range r.Known {
		if s.Known == nil {
			s.Known = map[string]int{}
		}
		s.Known[k] += v
	}
}

// RunAll runs every MOO file of dir (the singlestep-80286 folder or its
// v1_real_mode subfolder) that passes filter (nil: all) on t, with default
// options (metadata and revocation list from the folder).
func RunAll(dir string, t Target, filter func(file string) bool) (Summary, error) {
	return NewRunner(t, Options{}).RunDir(dir, filter)
}

// RunDir runs every MOO file of dir that passes filter (nil: all). Files
// are parsed in parallel ahead of the run, which is sequential (one
// Target). Unset Options.Metadata and Options.Revoked are loaded from the
// folder. A file that cannot be parsed appears in the summary with its Err
// and in the returned (joined) error; the other files still run.
func (r *Runner) RunDir(dir string, filter func(file string) bool) (Summary, error) {
	start := time.Now()
	mooDir, md, rev, err := loadSide(dir)
	if err != nil {
		return Summary{}, err
	}
	if r.opt.Metadata == nil {
		r.opt.Metadata = md
	}
	if r.opt.Revoked == nil {
		r.opt.Revoked = rev
	}
	names, err := ListFiles(mooDir, filter)
	if err != nil {
		return Summary{}, err
	}
	sum := Summary{Dir: mooDir, Categories: r.cats}

	// Parse ahead in parallel, at most `ahead` files parsed but not yet run.
	// Tokens are taken in file order by the dispatcher, so the next file to
	// run always holds one: no deadlock.
	workers := runtime.GOMAXPROCS(0)
	ahead := workers + 1
	type parsed struct {
		f   *File
		err error
	}
	results := make([]chan parsed, len(names))
	for i := range results {
		results[i] = make(chan parsed, 1)
	}
	tokens := make(chan struct{}, ahead)
	jobs := make(chan int)
	go func() {
		for i := range names {
			tokens <- struct{}{}
			jobs <- i
		}
		close(jobs)
	}()
	for w := 0; w < workers; w++ {
		go func() {
			for i := range jobs {
				f, err := ReadFile(filepath.Join(mooDir, names[i]))
				results[i] <- parsed{f, err}
			}
		}()
	}
	var errs []error
	for i, name := range names {
		p := <-results[i]
		if p.err != nil {
			errs = append(errs, p.err)
			sum.add(FileResult{File: name, Stem: Stem(name), Err: p.err})
		} else {
			sum.add(r.RunFile(name, p.f))
		}
		<-tokens
	}
	sum.Elapsed = time.Since(start)
	return sum, errors.Join(errs...)
}
