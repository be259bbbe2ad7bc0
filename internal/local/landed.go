package local

import (
	"bufio"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"compress/zlib"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/klauspost/compress/zstd"
)

// The local loader reads a landed file as the source's Snowflake file
// format does (https://docs.snowflake.com/en/sql-reference/sql/create-file-format):
// COMPRESSION = AUTO (the default) detects gzip, bzip2, zstd and deflate
// (zlib header) by themselves; Brotli is not detected by AUTO and raw
// deflate has no header, so both are read as plain text there and here.
// SKIP_BYTE_ORDER_MARK (TRUE by default) drops a leading UTF-8 BOM, and
// REPLACE_INVALID_CHARACTERS = TRUE puts U+FFFD in place of each invalid
// UTF-8 sequence.

// Compressions the loader detects, by their magic bytes.
const (
	CompressionNone  = "none"
	CompressionGzip  = "gzip"
	CompressionBzip2 = "bzip2"
	CompressionZstd  = "zstd"
	CompressionZlib  = "deflate"
)

var (
	gzipMagic  = []byte{0x1f, 0x8b}
	zstdMagic  = []byte{0x28, 0xb5, 0x2f, 0xfd}
	bzip2Magic = []byte("BZh")
	bzip2Block = []byte{0x31, 0x41, 0x59, 0x26, 0x53, 0x59} // pi: the first block's magic
	utf8BOM    = []byte{0xef, 0xbb, 0xbf}
)

// detectCompression names the compression of a file from its first bytes.
// A text file can start with none of these: gzip's and zstd's magic are
// not UTF-8 text, bzip2's is followed by a level digit and a binary block
// magic, and a zlib header is a 0x78 byte whose pair is a multiple of 31
// and whose second byte is one that zlib writes, followed by bytes that
// are not UTF-8.
func detectCompression(head []byte) string {
	switch {
	case bytes.HasPrefix(head, gzipMagic):
		return CompressionGzip
	case bytes.HasPrefix(head, zstdMagic):
		return CompressionZstd
	case len(head) >= 10 && bytes.HasPrefix(head, bzip2Magic) && head[3] >= '1' && head[3] <= '9' && bytes.Equal(head[4:10], bzip2Block):
		return CompressionBzip2
	case len(head) >= 3 && head[0] == 0x78 && (uint(head[0])<<8|uint(head[1]))%31 == 0 &&
		(head[1] == 0x01 || head[1] == 0x9c || head[1] == 0xda || head[1] == 0x5e) && !utf8.Valid(head):
		return CompressionZlib
	}
	return CompressionNone
}

// decompressor wraps r, which starts with a file's first bytes, in the
// reader of its compression.
func decompressor(kind string, r io.Reader) (io.Reader, func() error, error) {
	switch kind {
	case CompressionGzip:
		z, err := gzip.NewReader(r) // concatenated members read as one stream
		if err != nil {
			return nil, nil, err
		}
		return z, z.Close, nil
	case CompressionZstd:
		z, err := zstd.NewReader(r, zstd.WithDecoderConcurrency(1))
		if err != nil {
			return nil, nil, err
		}
		return z, func() error { z.Close(); return nil }, nil
	case CompressionBzip2:
		return bzip2.NewReader(r), func() error { return nil }, nil
	case CompressionZlib:
		z, err := zlib.NewReader(r)
		if err != nil {
			return nil, nil, err
		}
		return z, z.Close, nil
	}
	return r, func() error { return nil }, nil
}

// landedFile is what reading a landed file found.
type landedFile struct {
	Size        int64  // bytes on disk
	SHA256      string // of the bytes on disk
	Compression string
	BOM         bool
	Lines       int64 // rows of the file, blank ones included
	// Replaced counts the lines in which invalid UTF-8 was replaced by
	// U+FFFD; FirstReplaced is the row of the first.
	Replaced      int64
	FirstReplaced int64
}

// chunkBytes bounds the text handed to one INSERT: a file of any size is
// read in one pass with bounded memory.
const chunkBytes = 16 << 20

// readLanded reads the file at path once: it hashes the bytes on disk,
// decompresses them, drops a leading BOM, replaces invalid UTF-8, and
// hands the rows to emit in chunks (first is the row number of the
// chunk's first row, counted from 1; rows are separated by "\n", with
// trailing "\r" removed).
//
// With documents, the text is a sequence of JSON documents (one or several,
// pretty-printed or not), as Snowflake's JSON file format reads it: each
// document is one row, its JSON text made compact (a JSON text holds no raw
// newline). From the first text that is not JSON on, the rest of the file
// is read as lines, so that nothing is lost: they are quarantined as
// invalid JSON downstream.
func readLanded(path string, documents bool, emit func(first int64, rows []string) error) (landedFile, error) {
	var lf landedFile
	f, err := os.Open(path)
	if err != nil {
		return lf, err
	}
	defer f.Close()
	h := sha256.New()
	counted := &countingWriter{w: h}
	raw := bufio.NewReaderSize(io.TeeReader(f, counted), 1<<20)
	head, _ := raw.Peek(16)
	lf.Compression = detectCompression(head)
	dec, closeDec, err := decompressor(lf.Compression, raw)
	if err != nil {
		return lf, fmt.Errorf("%s: %w", lf.Compression, err)
	}
	defer closeDec()
	text := bufio.NewReaderSize(dec, 1<<20)
	if b, _ := text.Peek(3); bytes.Equal(b, utf8BOM) {
		text.Discard(3)
		lf.BOM = true
	}
	var rows []string
	size, first := 0, int64(1)
	add := func(s string) error {
		lf.Lines++
		if !utf8.ValidString(s) {
			s = strings.ToValidUTF8(s, "\uFFFD")
			if lf.Replaced == 0 {
				lf.FirstReplaced = lf.Lines
			}
			lf.Replaced++
		}
		rows = append(rows, s)
		size += len(s) + 1
		if size >= chunkBytes {
			if err := emit(first, rows); err != nil {
				return err
			}
			first += int64(len(rows))
			rows, size = rows[:0], 0
		}
		return nil
	}
	if documents {
		rest, err := readDocuments(text, add)
		if err != nil {
			return lf, err
		}
		text = bufio.NewReaderSize(rest, 1<<20)
	}
	for {
		line, err := text.ReadBytes('\n')
		if len(line) > 0 || err == nil {
			line = bytes.TrimSuffix(line, []byte{'\n'})
			line = bytes.TrimRight(line, "\r")
			if err := add(string(line)); err != nil {
				return lf, err
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if lf.Compression != CompressionNone {
				return lf, fmt.Errorf("%s: %w", lf.Compression, err)
			}
			return lf, err
		}
	}
	if len(rows) > 0 {
		if err := emit(first, rows); err != nil {
			return lf, err
		}
	}
	// Bytes after the compressed stream count in the hash too.
	if _, err := io.Copy(io.Discard, raw); err != nil {
		return lf, err
	}
	lf.Size = counted.n
	lf.SHA256 = hex.EncodeToString(h.Sum(nil))
	return lf, nil
}

// hashFile is the SHA-256 of the file's bytes.
func hashFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

type countingWriter struct {
	w hash.Hash
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return c.w.Write(p)
}

// Temporary reports whether a file name marks a file its producer is still
// writing: a name starting with "." or ending in .tmp, .partial or .part.
// Producers write under such a name and rename the file when it is
// complete; the loader never reads it.
func Temporary(name string) bool {
	if strings.HasPrefix(name, ".") {
		return true
	}
	lower := strings.ToLower(name)
	for _, s := range []string{".tmp", ".partial", ".part"} {
		if strings.HasSuffix(lower, s) {
			return true
		}
	}
	return false
}

// ErrNoLanding is returned when the landing folder does not exist.
var ErrNoLanding = errors.New("landing folder does not exist")

// listFiles lists the files below root, as slash-separated paths relative
// to it, sorted. Symbolic links are followed, to files and to folders; a
// link to a folder that is already being walked (a loop) is not. Names
// that mark a temporary file (Temporary) and folders whose name starts
// with "." are left out. A root that does not exist has no files.
func listFiles(root string) ([]string, error) {
	fi, err := os.Stat(root)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("%s: not a folder", root)
	}
	var files []string
	err = walk(root, "", []os.FileInfo{fi}, &files)
	sort.Strings(files)
	return files, err
}

func walk(dir, rel string, ancestors []os.FileInfo, files *[]string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		name := e.Name()
		path := filepath.Join(dir, name)
		r := name
		if rel != "" {
			r = rel + "/" + name
		}
		typ := e.Type()
		if typ&os.ModeSymlink != 0 {
			fi, err := os.Stat(path)
			if err != nil {
				// A dangling link is listed: opening it fails, and
				// that is recorded as a failed load.
				if !Temporary(name) {
					*files = append(*files, r)
				}
				continue
			}
			typ = fi.Mode().Type()
		}
		switch {
		case typ.IsDir():
			if strings.HasPrefix(name, ".") {
				continue
			}
			fi, err := os.Stat(path)
			if err != nil {
				return err
			}
			loop := false
			for _, a := range ancestors {
				if os.SameFile(a, fi) {
					loop = true
					break
				}
			}
			if loop {
				continue
			}
			if err := walk(path, r, append(ancestors, fi), files); err != nil {
				return err
			}
		case typ.IsRegular():
			if !Temporary(name) {
				*files = append(*files, r)
			}
		}
	}
	return nil
}

// readDocuments reads JSON documents from r and hands each, compact, to
// add. It stops at the end of r, or at the first text that is not a JSON
// document, and returns what is left of r from there (the text the decoder
// had read ahead included).
func readDocuments(r io.Reader, add func(string) error) (io.Reader, error) {
	dec := json.NewDecoder(r)
	var buf bytes.Buffer
	for {
		var doc json.RawMessage
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return strings.NewReader(""), nil
		}
		if err != nil {
			var syntax *json.SyntaxError
			if errors.As(err, &syntax) || errors.Is(err, io.ErrUnexpectedEOF) {
				// The decoder has not moved past the value that failed:
				// what it buffered starts there, and r holds the rest.
				// Whitespace between documents is not a row.
				left, _ := io.ReadAll(dec.Buffered())
				left = bytes.TrimLeft(left, " \t\r\n")
				return io.MultiReader(bytes.NewReader(left), r), nil
			}
			return nil, err
		}
		buf.Reset()
		if err := json.Compact(&buf, doc); err != nil {
			return nil, err
		}
		if err := add(buf.String()); err != nil {
			return nil, err
		}
	}
}
