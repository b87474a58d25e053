package cpu

// Model is what CPUID reports.
type Model struct {
	Vendor    string // 12 characters
	Signature uint32 // CPUID 1 EAX: family, model, stepping
	Features  uint32 // CPUID 1 EDX
	Brand     string // up to 48 characters
	// ExtFeatures is CPUID 0x80000001 EDX (ExtFeatNX).
	ExtFeatures uint32
}

// CPUID 1 EDX feature bits bt86 implements.
const (
	FeatFPU  = 1 << 0
	FeatVME  = 1 << 1
	FeatDE   = 1 << 2
	FeatPSE  = 1 << 3
	FeatTSC  = 1 << 4
	FeatMSR  = 1 << 5
	FeatPAE  = 1 << 6
	FeatCX8  = 1 << 8
	FeatSEP  = 1 << 11
	FeatMTRR = 1 << 12
	FeatPGE  = 1 << 13
	FeatCMOV = 1 << 15
	FeatPAT  = 1 << 16
	FeatFXSR = 1 << 24
)

// DefaultModel is a P6-family CPU without MMX/SSE, whose feature bits are
// exactly what bt86 implements.
func DefaultModel() Model {
	return Model{
		Vendor:    "GenuineIntel",
		Signature: 0x0000_0665, // family 6, model 6, stepping 5
		Features: FeatFPU | FeatVME | FeatDE | FeatPSE | FeatTSC | FeatMSR | FeatPAE |
			FeatCX8 | FeatSEP | FeatMTRR | FeatPGE | FeatCMOV | FeatPAT | FeatFXSR,
		Brand:       "bt86 virtual P6",
		ExtFeatures: ExtFeatNX,
	}
}
