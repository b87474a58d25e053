package cpu

import "math/big"

// fpuHooks is per-CPU scratch for the x87 unit: host-only values that are
// never part of the architectural state (they are rebuilt on demand).
type fpuHooks struct {
	// ln2 and pi are computed once, at transPrec bits, the first time a
	// transcendental instruction needs them.
	ln2, pi *big.Float
	// atanK[k] is atan(k/8), for FPATAN's argument reduction, and lnK[j]
	// is ln(j/32) (22 <= j <= 46), for the logarithms'.
	atanK [9]*big.Float
	lnK   [47]*big.Float
}
