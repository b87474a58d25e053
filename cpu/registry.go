package cpu

import "bt86/decoder"

// registrars lists the instruction families; each fills its rows of the
// dispatch table.
func registrars() []func(*[decoder.NumOps]opInfo) {
	return []func(*[decoder.NumOps]opInfo){
		regALU,
		regMove,
		regCtrl,
		regStack,
		regString,
		regShift,
		regMulDiv,
		regBCD,
		regBits,
		regSystem,
		regCPUID,
		regIO,
		regX87,
		regSpec32, // last: it specialises the rows above
	}
}
