package directive

import "encoding/binary"

func nativeEndian() binary.ByteOrder { return binary.LittleEndian }
