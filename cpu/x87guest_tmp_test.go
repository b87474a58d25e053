package cpu

import (
	"os"
	"strings"
	"testing"
)

func TestX87GuestTmp(t *testing.T) {
	p := os.Getenv("BT86_X87_BIN")
	if p == "" {
		t.Skip()
	}
	img, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	text, status, exit := runGuestBin(t, img, 200_000_000)
	if o := os.Getenv("BT86_X87_OUT"); o != "" {
		os.WriteFile(o, []byte(text), 0o644)
		return
	}
	for _, l := range strings.Split(text, "\n") {
		if !strings.HasPrefix(l, "PASS ") {
			t.Log(l)
		}
	}
	t.Logf("status %d exit %v %s pass=%d", status, exit.Reason, exit.Shutdown, strings.Count(text, "PASS "))
}
