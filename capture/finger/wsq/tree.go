package wsq

// The WSQ decomposition splits the image 20 times into quadrants and ends with
// 64 subbands, of which 60 are coded (the finest diagonal quadrant, subbands
// 60-63, is dropped). Every split of a region of length n along an axis gives
// a lowpass half of ceil(n/2) samples and a highpass half of floor(n/2); a
// region may be "spectrally inverted" along an axis, in which case the highpass
// half comes first. A quadrant's own inversion depends only on its position:
// top-left none, top-right along x, bottom-left along y, bottom-right both.
// This reproduces the specification's tables of subband positions (NBIS
// tree.c builds the same figures with explicit per-case code).

// region is a rectangle of the transform plane.
type region struct{ x, y, w, h int }

// splitNode is a region that is split into four quadrants.
type splitNode struct {
	region
	invX, invY bool // highpass first along x / along y
}

// halves returns the length of the first and the second part of a split of n
// samples.
func halves(n int, inverted bool) (first, second int) {
	low, high := (n+1)/2, n/2
	if inverted {
		return high, low
	}
	return low, high
}

// quads splits n into its top-left, top-right, bottom-left and bottom-right
// quadrants, each carrying its positional inversion flags.
func (n splitNode) quads() [4]splitNode {
	w0, w1 := halves(n.w, n.invX)
	h0, h1 := halves(n.h, n.invY)
	return [4]splitNode{
		{region{n.x, n.y, w0, h0}, false, false},
		{region{n.x + w0, n.y, w1, h0}, true, false},
		{region{n.x, n.y + h0, w0, h1}, false, true},
		{region{n.x + w0, n.y + h0, w1, h1}, true, true},
	}
}

const (
	numSplits   = 20 // wavelet tree nodes
	numBands    = 64 // subbands in the quantisation tree
	codedBands  = 60 // subbands 60-63 are never coded
	block2Start = 19 // first subband of Huffman block 2
	block3Start = 52 // first subband of Huffman block 3
)

// geometry is the subband layout of a width x height image: the 20 splits in
// the order the encoder performs them and the 64 subbands in coding order.
type geometry struct {
	width, height int
	splits        [numSplits]splitNode
	bands         [numBands]region
}

// newGeometry lays out the subbands of a w x h image.
func newGeometry(w, h int) *geometry {
	g := &geometry{width: w, height: h}
	root := splitNode{region: region{0, 0, w, h}}
	l1 := root.quads()  // LL1, then the three level-1 detail regions
	l2 := l1[0].quads() // the split of LL1
	a := l2[1].quads()  // top-right of LL1
	b := l2[2].quads()  // bottom-left of LL1
	c := l2[0].quads()  // top-left of LL1
	d := c[0].quads()   // top-left of that
	g.splits = [numSplits]splitNode{
		root, l1[0], l1[1], l1[2], l2[1], l2[2],
		a[0], a[1], a[2], a[3], b[0], b[1], b[2], b[3],
		l2[0], c[0], c[1], c[2], c[3], d[0],
	}
	var bands []region
	addSplit := func(n splitNode) {
		for _, q := range n.quads() {
			bands = append(bands, q.region)
		}
	}
	addSplit(d[0])                                               // 0-3
	bands = append(bands, d[1].region, d[2].region, d[3].region) // 4-6
	for _, n := range c[1:] {                                    // 7-18
		addSplit(n)
	}
	for _, n := range a { // 19-34
		addSplit(n)
	}
	for _, n := range b { // 35-50
		addSplit(n)
	}
	bands = append(bands, l2[3].region) // 51
	addSplit(l1[1])                     // 52-55
	addSplit(l1[2])                     // 56-59
	addSplit(l1[3])                     // 60-63, never coded
	copy(g.bands[:], bands)
	return g
}

// blockOf returns the Huffman block (0, 1 or 2) that codes subband k.
func blockOf(k int) int {
	switch {
	case k < block2Start:
		return 0
	case k < block3Start:
		return 1
	default:
		return 2
	}
}
