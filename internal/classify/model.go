// Package classify suggests a case's category (and, once operators have
// labelled some, its nature) from the subject and text of a message, with
// a confidence for each suggestion.
//
// A model is a set of linear one-vs-rest SVMs over hashed character
// n-grams of the subject and of the body, each weighted by sublinear TF and
// IDF, the vector L2-normalised; confidences are a softmax of the SVM
// scores at a temperature fitted on held-out folds. Training is
// deterministic. Models are small binary files holding the hashing
// settings, the document frequencies and the quantised weights — never the
// training texts. The binary embeds one trained on the shared reference
// data (Default), and a Registry keeps retrained versions with the active
// one switchable (rollback).
package classify

import (
	"bufio"
	"bytes"
	"compress/flate"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"time"
)

// Heads of a model: what it predicts.
const (
	HeadCategory = "category"
	HeadNature   = "nature"
)

// Suggestion is one label with the model's confidence in it (0–1; the
// confidences of one head's suggestions add up to 1).
type Suggestion struct {
	Label      string  `json:"label"`
	Confidence float64 `json:"confidence"`
}

// Suggestions are a message's suggestions per head, best first. Nature is
// empty while the model has not learnt natures.
//
// A head whose labels are paths into the taxonomy suggests as deep as it is
// sure: the roots share the confidence; the best one is split among its
// children (and itself, for "none of them") when one of them reaches
// DeepConfidence, and so on down. The first suggestion is thus the deepest
// label whose confidence is high enough, else its parent.
type Suggestions struct {
	Category []Suggestion `json:"category"`
	Nature   []Suggestion `json:"nature,omitempty"`
}

// Info describes a trained model.
type Info struct {
	Version  string    `json:"version"`
	Created  time.Time `json:"created"`
	Examples int       `json:"examples"`         // labelled examples trained on
	Weak     int       `json:"weak"`             // of which weakly labelled
	Training string    `json:"training"`         // how long training took
	Note     string    `json:"note,omitempty"`   // free text, e.g. the data used
	Source   string    `json:"source,omitempty"` // where the model was loaded from
}

// Model is a trained classifier. It is safe for concurrent use.
type Model struct {
	Info  Info
	feat  Features
	docs  uint32   // documents the document frequencies were counted over
	df    []uint32 // per bucket
	idf   []float32
	heads []head

	// table is the prediction layout: per bucket, its IDF (fixed point,
	// idfUnit) followed by the quantised weights of every class of every
	// head (int16 bits; weight = q · the head's scale), so a message feature
	// costs one small memory access.
	table  []uint16
	stride int
	scales []float32 // per head
}

type head struct {
	name   string
	labels []string
	w      []float32 // bucket*len(labels) + class
	bias   []float32
	temp   float32
	tree   tree // of the labels (set by build)
}

// DeepConfidence is the confidence a child label needs to be suggested in
// place of its parent: more likely than not.
const DeepConfidence = 0.5

// noneScore is the decision value of "none of the known children" when a
// parent's confidence is split among its children. Held out, the SVM of a
// child learnt from a few dozen messages scores its own messages near 0
// and its siblings' near -1 (the negatives' target): halfway between, a
// message like none of them splits evenly, and one like a child goes to it.
const noneScore = -0.5

// scores adds the head's decision values for a normalised vector to out.
func (h *head) scores(v []feature, out []float64) {
	k := len(h.labels)
	for c := range k {
		out[c] = float64(h.bias[c])
	}
	for _, e := range v {
		row := h.w[int(e.idx)*k : int(e.idx)*k+k]
		for c, w := range row {
			out[c] += float64(e.val * w)
		}
	}
}

// Labels returns the labels a head can suggest (nil when the model has no
// such head).
func (m *Model) Labels(headName string) []string {
	for _, h := range m.heads {
		if h.name == headName {
			return slices.Clone(h.labels)
		}
	}
	return nil
}

// Predict suggests categories for a message, best first.
func (m *Model) Predict(subject, body string) []Suggestion {
	return m.Suggest(subject, body).Category
}

// Suggest returns the suggestions of every head of the model.
func (m *Model) Suggest(subject, body string) Suggestions {
	var buf [32]float64
	raw := m.decision(subject, body, buf[:0])
	var out Suggestions
	off := 0
	for i := range m.heads {
		h := &m.heads[i]
		s := h.suggest(raw[off : off+len(h.labels)])
		off += len(h.labels)
		switch h.name {
		case HeadCategory:
			out.Category = s
		case HeadNature:
			out.Nature = s
		}
	}
	return out
}

// decision appends the raw decision values of every class of every head.
func (m *Model) decision(subject, body string, dst []float64) []float64 {
	n := m.stride - 1
	dst = slices.Grow(dst[:0], n)[:n]
	var acc [maxClasses]float32
	if n > len(acc) {
		return m.decisionSlow(subject, body, dst)
	}
	s := getScratch(m.feat.Bits)
	defer scratchPool.Put(s)
	var ss float32
	for part := range 2 {
		scale := float32(idfUnit)
		if part == 0 {
			m.feat.hashText(s, subject, nsSubject)
			scale *= m.feat.SubjectWeight
		} else {
			m.feat.hashText(s, body, nsBody)
		}
		for _, b := range s.touched {
			row := m.table[int(b)*m.stride : int(b)*m.stride+m.stride]
			v := m.feat.take(s, b) * scale * float32(row[0])
			ss += v * v
			for c, q := range row[1:] {
				acc[c] += v * float32(int16(q))
			}
		}
		s.touched = s.touched[:0]
	}
	for c := range dst {
		dst[c] = float64(acc[c])
	}
	return m.finishDecision(dst, float64(ss))
}

// maxClasses is the number of classes (of all heads) decision handles
// without allocating.
const maxClasses = 32

// decisionSlow is decision for models with more classes than maxClasses.
func (m *Model) decisionSlow(subject, body string, dst []float64) []float64 {
	clear(dst)
	s := getScratch(m.feat.Bits)
	defer scratchPool.Put(s)
	var ss float64
	for part := range 2 {
		scale := float32(idfUnit)
		if part == 0 {
			m.feat.hashText(s, subject, nsSubject)
			scale *= m.feat.SubjectWeight
		} else {
			m.feat.hashText(s, body, nsBody)
		}
		for _, b := range s.touched {
			row := m.table[int(b)*m.stride : int(b)*m.stride+m.stride]
			v := m.feat.take(s, b) * scale * float32(row[0])
			ss += float64(v) * float64(v)
			for c, q := range row[1:] {
				dst[c] += float64(v * float32(int16(q)))
			}
		}
		s.touched = s.touched[:0]
	}
	return m.finishDecision(dst, ss)
}

// finishDecision normalises the summed scores, scales them by the heads'
// quantisation steps and adds the biases.
func (m *Model) finishDecision(dst []float64, ss float64) []float64 {
	inv := 0.0
	if ss > 0 {
		inv = 1 / math.Sqrt(ss)
	}
	off := 0
	for i := range m.heads {
		h := &m.heads[i]
		for c := range h.labels {
			dst[off+c] = dst[off+c]*inv*float64(m.scales[i]) + float64(h.bias[c])
		}
		off += len(h.labels)
	}
	return dst
}

// suggest turns the head's decision values into its suggestions.
func (h *head) suggest(raw []float64) []Suggestion {
	if h.tree.kids == nil { // flat: one softmax over all labels
		out := make([]Suggestion, len(h.labels))
		for c, p := range probabilities(raw, h.temp) {
			out[c] = Suggestion{Label: h.labels[c], Confidence: p}
		}
		sortSuggestions(out)
		return out
	}
	type entry struct {
		c int
		p float64
	}
	var es []entry
	for j, p := range probabilities(pick(raw, h.tree.roots, false), h.temp) {
		es = append(es, entry{h.tree.roots[j], p})
	}
	byConfidence := func(a, b entry) int { return cmpConfidence(a.p, b.p) }
	slices.SortStableFunc(es, byConfidence)
	for {
		top := es[0]
		kids := h.tree.kids[top.c]
		if len(kids) == 0 {
			break
		}
		// A child against its siblings and against none of them.
		p := probabilities(pick(raw, kids, true), h.temp)
		if top.p*slices.Max(p[:len(kids)]) < DeepConfidence {
			break
		}
		es[0].p = top.p * p[len(kids)]
		for j, k := range kids {
			es = append(es, entry{k, top.p * p[j]})
		}
		slices.SortStableFunc(es, byConfidence)
	}
	out := make([]Suggestion, len(es))
	for i, e := range es {
		out[i] = Suggestion{Label: h.labels[e.c], Confidence: e.p}
	}
	return out
}

// pick returns raw's values at idx, and noneScore after them when none is
// set.
func pick(raw []float64, idx []int, none bool) []float64 {
	out := make([]float64, len(idx), len(idx)+1)
	for j, c := range idx {
		out[j] = raw[c]
	}
	if none {
		out = append(out, noneScore)
	}
	return out
}

// probabilities is the softmax of scores at temperature temp.
func probabilities(scores []float64, temp float32) []float64 {
	t := float64(temp)
	if t <= 0 {
		t = 1
	}
	m := slices.Max(scores)
	out := make([]float64, len(scores))
	var z float64
	for c, v := range scores {
		out[c] = math.Exp((v - m) / t)
		z += out[c]
	}
	for c := range out {
		out[c] /= z
	}
	return out
}

func cmpConfidence(a, b float64) int {
	switch {
	case a > b:
		return -1
	case a < b:
		return 1
	}
	return 0
}

// sortSuggestions orders suggestions best first (ties keep their order).
func sortSuggestions(s []Suggestion) {
	slices.SortStableFunc(s, func(a, b Suggestion) int { return cmpConfidence(a.Confidence, b.Confidence) })
}

// scale is the quantisation step of the head's weights in the model file.
func (h *head) scale() float32 {
	var mx float32
	for _, v := range h.w {
		mx = max(mx, float32(math.Abs(float64(v))))
	}
	if mx == 0 {
		return 1
	}
	return mx / math.MaxInt16
}

// quantize rounds the weights to what the model file holds, so a model
// predicts the same before saving and after loading.
func (h *head) quantize() {
	s := h.scale()
	for i, v := range h.w {
		h.w[i] = float32(math.Round(float64(v/s))) * s
	}
}

// idfUnit is the step of the IDF in the prediction table: IDFs up to 16
// (a feature in one of some 8 million documents) are exact to 1/4096.
const idfUnit = 1.0 / 4096

// build lays out the prediction table from idf and the heads.
func (m *Model) build() {
	m.stride = 1
	m.scales = m.scales[:0]
	for i, h := range m.heads {
		m.stride += len(h.labels)
		m.scales = append(m.scales, h.scale())
		m.heads[i].tree = treeOf(h.labels)
	}
	nb := 1 << m.feat.Bits
	m.table = make([]uint16, nb*m.stride)
	for b := range nb {
		row := m.table[b*m.stride:]
		row[0] = uint16(min(math.Round(float64(m.idf[b])/idfUnit), math.MaxUint16))
		off := 1
		for i, h := range m.heads {
			k := len(h.labels)
			for c, w := range h.w[b*k : b*k+k] {
				row[off+c] = uint16(int16(math.Round(float64(w / m.scales[i]))))
			}
			off += k
		}
	}
}

// ---- file format ----
//
//	"PACLSMDL" magic, uint16 format version (1), then a DEFLATE stream of:
//	uvarint length + JSON header (info, features, document count, heads),
//	the document frequency of every bucket (uvarints), and per head the
//	biases (float32) and the weights: per nonzero bucket row, the uvarint gap
//	from the previous one, then one zigzag varint per class, the weight
//	quantised to int16 at the head's scale.

var magic = [8]byte{'P', 'A', 'C', 'L', 'S', 'M', 'D', 'L'}

const formatVersion = 1

type fileHeader struct {
	Info     Info         `json:"info"`
	Features Features     `json:"features"`
	Docs     uint32       `json:"docs"`
	Heads    []headHeader `json:"heads"`
}

type headHeader struct {
	Name   string   `json:"name"`
	Labels []string `json:"labels"`
	Temp   float32  `json:"temperature"`
	Scale  float32  `json:"scale"` // weight = int16 · Scale
}

// Save writes the model in its binary format.
func (m *Model) Save(w io.Writer) error {
	if _, err := w.Write(magic[:]); err != nil {
		return fmt.Errorf("save model: %w", err)
	}
	if err := binary.Write(w, binary.LittleEndian, uint16(formatVersion)); err != nil {
		return fmt.Errorf("save model: %w", err)
	}
	zw, err := flate.NewWriter(w, flate.BestCompression)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(zw)
	hdr := fileHeader{Info: m.Info, Features: m.feat, Docs: m.docs}
	hdr.Info.Source = ""
	scales := make([]float32, len(m.heads))
	for i, h := range m.heads {
		scales[i] = h.scale()
		hdr.Heads = append(hdr.Heads, headHeader{Name: h.name, Labels: h.labels, Temp: h.temp, Scale: scales[i]})
	}
	js, err := json.Marshal(hdr)
	if err != nil {
		return err
	}
	var tmp [binary.MaxVarintLen64]byte
	putU := func(v uint64) { bw.Write(tmp[:binary.PutUvarint(tmp[:], v)]) }
	putI := func(v int64) { bw.Write(tmp[:binary.PutVarint(tmp[:], v)]) }
	putU(uint64(len(js)))
	bw.Write(js)
	for _, d := range m.df {
		putU(uint64(d))
	}
	for i, h := range m.heads {
		k := len(h.labels)
		for _, b := range h.bias {
			binary.Write(bw, binary.LittleEndian, b)
		}
		prev := -1
		q := make([]int64, k)
		for b := range len(m.df) {
			nonzero := false
			for c := range k {
				q[c] = int64(math.Round(float64(h.w[b*k+c] / scales[i])))
				nonzero = nonzero || q[c] != 0
			}
			if !nonzero {
				continue
			}
			putU(uint64(b - prev))
			prev = b
			for _, v := range q {
				putI(v)
			}
		}
		putU(0) // end of rows
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("save model: %w", err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("save model: %w", err)
	}
	return nil
}

// ErrFormat marks input that is not a model this version can read.
var ErrFormat = errors.New("classify: not a model file")

// Load reads a model written by Save.
func Load(r io.Reader) (*Model, error) {
	var head [10]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	if !bytes.Equal(head[:8], magic[:]) {
		return nil, ErrFormat
	}
	if v := binary.LittleEndian.Uint16(head[8:]); v != formatVersion {
		return nil, fmt.Errorf("%w: format version %d (this build reads %d)", ErrFormat, v, formatVersion)
	}
	br := bufio.NewReader(flate.NewReader(r))
	m, err := readBody(br)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	return m, nil
}

func readBody(br *bufio.Reader) (*Model, error) {
	n, err := binary.ReadUvarint(br)
	if err != nil || n > 1<<20 {
		return nil, fmt.Errorf("header length: %v", err)
	}
	js := make([]byte, n)
	if _, err := io.ReadFull(br, js); err != nil {
		return nil, err
	}
	var hdr fileHeader
	if err := json.Unmarshal(js, &hdr); err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	f := hdr.Features
	if !f.valid() || len(hdr.Heads) == 0 {
		return nil, fmt.Errorf("header: invalid settings %+v", f)
	}
	nb := 1 << f.Bits
	m := &Model{Info: hdr.Info, feat: f, docs: hdr.Docs, df: make([]uint32, nb)}
	for b := range m.df {
		d, err := binary.ReadUvarint(br)
		if err != nil {
			return nil, fmt.Errorf("document frequencies: %w", err)
		}
		m.df[b] = uint32(d)
	}
	m.idf = idfOf(m.df, m.docs)
	for _, hh := range hdr.Heads {
		k := len(hh.Labels)
		if k < 2 || k > 4096 {
			return nil, fmt.Errorf("head %q: %d labels", hh.Name, k)
		}
		h := head{name: hh.Name, labels: hh.Labels, temp: hh.Temp, bias: make([]float32, k), w: make([]float32, nb*k)}
		if err := binary.Read(br, binary.LittleEndian, h.bias); err != nil {
			return nil, fmt.Errorf("head %q biases: %w", hh.Name, err)
		}
		b := -1
		for {
			gap, err := binary.ReadUvarint(br)
			if err != nil {
				return nil, fmt.Errorf("head %q weights: %w", hh.Name, err)
			}
			if gap == 0 {
				break
			}
			b += int(gap)
			if b >= nb {
				return nil, fmt.Errorf("head %q weights: bucket %d out of range", hh.Name, b)
			}
			for c := range k {
				q, err := binary.ReadVarint(br)
				if err != nil {
					return nil, fmt.Errorf("head %q weights: %w", hh.Name, err)
				}
				h.w[b*k+c] = float32(q) * hh.Scale
			}
		}
		m.heads = append(m.heads, h)
	}
	m.build()
	return m, nil
}
