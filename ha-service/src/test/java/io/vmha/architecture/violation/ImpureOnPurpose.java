package io.vmha.architecture.violation;

import java.io.File;
import java.util.Random;

/** Breaks every purity rule on purpose, so that CoreIsPureTest can prove its rules are not vacuous. */
public final class ImpureOnPurpose {
    public long everything() throws Exception {
        long t = System.currentTimeMillis() + System.nanoTime();
        Thread.sleep(1);
        new ProcessBuilder("true");
        new Random().nextInt();
        new Random(42).nextInt();
        io.vmha.cli.Main.main(new String[0]);
        return t + new File("/").length() + new com.fasterxml.jackson.databind.ObjectMapper().hashCode();
    }
}
