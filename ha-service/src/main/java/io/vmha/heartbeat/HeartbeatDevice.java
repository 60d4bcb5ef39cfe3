package io.vmha.heartbeat;

import com.sun.nio.file.ExtendedOpenOption;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashSet;
import java.util.Set;

/**
 * Block I/O on a heartbeat device: a block device (opened O_DIRECT and O_DSYNC, so reads bypass this host's
 * page cache and see what other hosts wrote, and writes reach the device before they return) or a regular
 * file (O_DSYNC). Reads and writes whole {@link HeartbeatFormat#BLOCK}-byte blocks at block offsets, which are
 * aligned on any sector size up to 4096.
 *
 * <p>A regular file shared over NFS would need O_DIRECT too for hosts to see each other's writes promptly;
 * files here are meant for tests, the demo and single-machine pools. Positional I/O: safe from several threads.
 * Not final only so that a test can make a write hang.
 */
public class HeartbeatDevice implements AutoCloseable {
    private final Path path;
    private final boolean blockDevice;
    private final int sectorSize;
    private final FileChannel channel;

    /** Opens an existing device or file for reading and writing. */
    public HeartbeatDevice(Path path) throws IOException {
        this.path = path;
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(path, BasicFileAttributes.class);
        } catch (IOException e) {
            throw new IOException("heartbeat device " + path + ": cannot be read (" + e + ")", e);
        }
        if (attrs.isDirectory()) throw new IOException("heartbeat device " + path + " is a directory; expected a block device or a file");
        this.blockDevice = attrs.isOther() && Files.exists(sysBlock(path));
        if (attrs.isOther() && !blockDevice) {
            throw new IOException("heartbeat device " + path + " is neither a regular file nor a block device listed in /sys/class/block");
        }
        this.sectorSize = blockDevice ? deviceSectorSize(path) : fileBlockSize(path);
        Set<OpenOption> options = new HashSet<>(Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.DSYNC));
        if (blockDevice) options.add(ExtendedOpenOption.DIRECT);
        try {
            this.channel = FileChannel.open(path, options);
        } catch (IOException e) {
            throw new IOException("heartbeat device " + path + ": cannot open for read and write"
                    + (blockDevice ? " with O_DIRECT" : "") + " (" + e + ")", e);
        }
    }

    public Path path() { return path; }

    public boolean isBlockDevice() { return blockDevice; }

    /** The logical sector size detected: from /sys for a block device, the file store's block size for a file. */
    public int sectorSize() { return sectorSize; }

    public long size() throws IOException { return channel.size(); }

    /** Reads block {@code index}; a block past the end of the device is an error, not zeros. */
    public byte[] readBlock(long index) throws IOException {
        ByteBuffer buf = buffer();
        long offset = index * HeartbeatFormat.BLOCK;
        while (buf.hasRemaining()) {
            int n = channel.read(buf, offset + buf.position());
            if (n < 0) {
                throw new IOException("heartbeat device " + path + ": short read of block " + index + " at offset " + offset
                        + " (" + buf.position() + " of " + HeartbeatFormat.BLOCK + " bytes); the device is smaller than its layout");
            }
        }
        byte[] out = new byte[HeartbeatFormat.BLOCK];
        buf.flip().get(out);
        return out;
    }

    /** Writes block {@code index}; returns once the data is on stable storage (O_DSYNC). */
    public void writeBlock(long index, byte[] block) throws IOException {
        if (block.length != HeartbeatFormat.BLOCK) {
            throw new IllegalArgumentException("a block is " + HeartbeatFormat.BLOCK + " bytes, got " + block.length);
        }
        ByteBuffer buf = buffer().put(block).flip();
        long offset = index * HeartbeatFormat.BLOCK;
        try {
            while (buf.hasRemaining()) channel.write(buf, offset + buf.position());
        } catch (IOException e) {
            throw new IOException("heartbeat device " + path + ": writing block " + index + " at offset " + offset + " failed (" + e + ")", e);
        }
    }

    @Override public void close() throws IOException { channel.close(); }

    /** O_DIRECT wants the buffer aligned too; 4096 covers every logical sector size we accept. */
    private ByteBuffer buffer() {
        if (!blockDevice) return ByteBuffer.allocate(HeartbeatFormat.BLOCK);
        int align = Math.max(sectorSize, 4096);
        return ByteBuffer.allocateDirect(HeartbeatFormat.BLOCK + align).alignedSlice(align).limit(HeartbeatFormat.BLOCK);
    }

    private static Path sysBlock(Path device) throws IOException {
        return Path.of("/sys/class/block", device.toRealPath().getFileName().toString());
    }

    private static int deviceSectorSize(Path device) throws IOException {
        Path sys = sysBlock(device);
        Path queue = sys.resolve("queue/logical_block_size");
        // A partition has no queue/ of its own: its parent disk's applies.
        if (!Files.exists(queue)) queue = sys.toRealPath().getParent().resolve("queue/logical_block_size");
        try {
            return Integer.parseInt(Files.readString(queue).trim());
        } catch (IOException | NumberFormatException e) {
            throw new IOException("heartbeat device " + device + ": cannot read its sector size from " + queue + " (" + e + ")", e);
        }
    }

    private static int fileBlockSize(Path file) {
        try {
            long size = Files.getFileStore(file).getBlockSize();
            return size >= 512 && size <= HeartbeatFormat.BLOCK && Long.bitCount(size) == 1 ? (int) size : 512;
        } catch (IOException | UnsupportedOperationException e) {
            return 512; // informative only: every record is a whole aligned 4096-byte block anyway
        }
    }
}
