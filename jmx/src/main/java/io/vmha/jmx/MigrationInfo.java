package io.vmha.jmx;

import javax.management.ConstructorParameters;

/** One live migration in flight (a CompositeData over JMX). */
public final class MigrationInfo {
    private final String vm;
    private final String source;
    private final String target;
    private final int progressPercent;
    private final long startedAtMillis;

    @ConstructorParameters({"vm", "source", "target", "progressPercent", "startedAtMillis"})
    public MigrationInfo(String vm, String source, String target, int progressPercent, long startedAtMillis) {
        this.vm = vm;
        this.source = source;
        this.target = target;
        this.progressPercent = progressPercent;
        this.startedAtMillis = startedAtMillis;
    }

    public String getVm() { return vm; }

    public String getSource() { return source; }

    public String getTarget() { return target; }

    /** Memory copied so far, 0..100. */
    public int getProgressPercent() { return progressPercent; }

    /** Unix ms. */
    public long getStartedAtMillis() { return startedAtMillis; }
}
