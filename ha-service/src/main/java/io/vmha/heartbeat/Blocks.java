package io.vmha.heartbeat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * Byte-level helpers shared by the codecs: a bounds-checked reader that reports a problem instead of
 * throwing an unchecked exception, a writer, and the CRC32C that closes every block.
 */
final class Blocks {
    private Blocks() {}

    /** Thrown inside decoders only and turned into a CORRUPT result; no stack trace, it is not a bug. */
    static final class Corrupt extends Exception {
        Corrupt(String problem) { super(problem, null, false, false); }
    }

    static int crc(byte[] block) {
        CRC32C crc = new CRC32C();
        crc.update(block, 0, HeartbeatFormat.CRC_OFFSET);
        return (int) crc.getValue();
    }

    /** Writes the CRC32C over everything before it into the last four bytes. */
    static void seal(byte[] block) {
        ByteBuffer.wrap(block).putInt(HeartbeatFormat.CRC_OFFSET, crc(block));
    }

    static boolean allZero(byte[] block) {
        for (byte b : block) if (b != 0) return false;
        return true;
    }

    /** Length, then the common checks every block kind shares: EMPTY if all zeros, magic, checksum. */
    static void checkFrame(byte[] block, byte[] magic, String kind) throws Corrupt {
        for (int i = 0; i < magic.length; i++) {
            if (block[i] != magic[i]) throw new Corrupt("bad magic: not a vmha " + kind + " block");
        }
        int stored = ByteBuffer.wrap(block).getInt(HeartbeatFormat.CRC_OFFSET);
        if (stored != crc(block)) throw new Corrupt("checksum mismatch (torn or corrupt write)");
    }

    /**
     * True if {@code s} follows {@link io.vmha.core.Names#RULE}; a hand-written twin of its pattern, because the
     * decoders run it on every name of every slot every round. Names.check still builds the error message.
     */
    static boolean isName(String s) {
        int n = s.length();
        if (n < 1 || n > 63) return false;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            boolean alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
            if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-'))) return false;
        }
        return true;
    }

    /** Sequential reader over a block's payload, never past the CRC field. */
    static final class Reader {
        private final byte[] block;
        private int pos;

        Reader(byte[] block, int start) {
            this.block = block;
            this.pos = start;
        }

        private void need(int n, String field) throws Corrupt {
            if (n < 0 || pos + n > HeartbeatFormat.CRC_OFFSET) {
                throw new Corrupt(field + " runs past the end of the block (offset " + pos + ", " + n + " bytes)");
            }
        }

        int u8(String field) throws Corrupt {
            need(1, field);
            return block[pos++] & 0xff;
        }

        int u16(String field) throws Corrupt {
            need(2, field);
            int v = ((block[pos] & 0xff) << 8) | (block[pos + 1] & 0xff);
            pos += 2;
            return v;
        }

        int i32(String field) throws Corrupt {
            need(4, field);
            int v = ByteBuffer.wrap(block).getInt(pos);
            pos += 4;
            return v;
        }

        long i64(String field) throws Corrupt {
            need(8, field);
            long v = ByteBuffer.wrap(block).getLong(pos);
            pos += 8;
            return v;
        }

        /** A name: one length byte (at most 63, so no length can make us allocate much), then ASCII. */
        String name(String field) throws Corrupt {
            int len = u8(field + " length");
            if (len > 63) throw new Corrupt(field + " length " + len + " out of range (0 to 63)");
            need(len, field);
            for (int i = 0; i < len; i++) {
                if (block[pos + i] < 0x21 || block[pos + i] > 0x7e) {
                    throw new Corrupt(field + " not valid: byte " + (block[pos + i] & 0xff) + " at offset " + (pos + i)
                            + " is not a printable ASCII character");
                }
            }
            String s = new String(block, pos, len, StandardCharsets.US_ASCII);
            pos += len;
            return s;
        }

        /** The bytes after the last field must be zero, so that one block has one meaning only. */
        void requireZeroTail() throws Corrupt {
            for (int i = pos; i < HeartbeatFormat.CRC_OFFSET; i++) {
                if (block[i] != 0) throw new Corrupt("non-zero byte at offset " + i + " after the last field");
            }
        }
    }

    /** Sequential writer; callers size their content so it never reaches the CRC field. */
    static final class Writer {
        final ByteBuffer buf;

        Writer(byte[] magic) {
            buf = ByteBuffer.wrap(new byte[HeartbeatFormat.BLOCK]);
            buf.put(magic).putInt(HeartbeatFormat.VERSION);
        }

        Writer u8(int v) { buf.put((byte) v); return this; }

        Writer u16(int v) { buf.putShort((short) v); return this; }

        Writer i32(int v) { buf.putInt(v); return this; }

        Writer i64(long v) { buf.putLong(v); return this; }

        Writer name(String s) {
            byte[] b = s.getBytes(StandardCharsets.US_ASCII);
            buf.put((byte) b.length).put(b);
            return this;
        }

        byte[] sealed() {
            byte[] block = buf.array();
            seal(block);
            return block;
        }
    }
}
