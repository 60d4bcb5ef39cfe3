package io.vmha.migration.tunnel;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;

/**
 * Gathers bytes up to the first '\n' without reading further than {@code limit}: a line the tunnel's handshake expects
 * (the client's header, the server's OK). Bytes after the line are kept for the relay. Not thread-safe (one event loop).
 */
final class HeaderReader {
    private final int limit;
    private final CompositeByteBuf gathered;

    HeaderReader(CompositeByteBuf buffer, int limit) {
        this.gathered = buffer;
        this.limit = limit;
    }

    /** Adds {@code bytes} (taking ownership); returns the line without '\n' once complete, null while incomplete. */
    byte[] add(ByteBuf bytes) throws PeerCheck.Refused {
        gathered.addComponent(true, bytes);
        int newline = gathered.indexOf(gathered.readerIndex(), gathered.writerIndex(), (byte) '\n');
        if (newline < 0) {
            if (gathered.readableBytes() >= limit) {
                throw new PeerCheck.Refused("no end of line within the first " + limit + " bytes; expected one line of at most "
                        + limit + " bytes ending in '\\n'");
            }
            return null;
        }
        int length = newline - gathered.readerIndex();
        if (length + 1 > limit) throw new PeerCheck.Refused("line of " + (length + 1) + " bytes; at most " + limit + " are accepted");
        byte[] line = new byte[length];
        gathered.readBytes(line);
        gathered.skipBytes(1);
        return line;
    }

    /** What followed the line (retained by the caller), or null if nothing did; releases the rest. */
    ByteBuf remainder() {
        ByteBuf rest = gathered.isReadable() ? gathered.readRetainedSlice(gathered.readableBytes()) : null;
        gathered.release();
        return rest;
    }

    void release() {
        if (gathered.refCnt() > 0) gathered.release();
    }
}
