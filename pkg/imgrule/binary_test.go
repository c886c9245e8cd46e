package imgrule

import (
	"bytes"
	"encoding/binary"
)

func binaryWrite(b *bytes.Buffer, v any) { _ = binary.Write(b, binary.LittleEndian, v) }
