package io.vmha.demo;

import io.vmha.checker.DoubleRunChecker;
import io.vmha.coordination.PoolAdmin;
import io.vmha.coordination.PoolEvent;
import io.vmha.core.Ownership;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;

/**
 * The JSON report of a scenario run (DESIGN.md's demo contract). Every number is measured from the
 * outside: recovery from the sim VMs' own disk writes, double runs by the independent checker.
 */
final class DemoReport {
    private DemoReport() {}

    static Map<String, Object> build(String scenario, int hosts, int vms, int failures, long seed, List<Fault> faults,
                                     DoubleRunChecker.Result check, PoolAdmin.PoolStatus end, Set<String> vmsAtStart,
                                     List<PoolEvent> events, long fences, Map<String, Boolean> checks) {
        List<Double> recovery = new ArrayList<>();
        Set<String> unrecovered = new TreeSet<>();
        List<Map<String, Object>> faultList = new ArrayList<>();
        Set<String> restarted = new TreeSet<>();
        for (Fault f : faults) {
            if (f.vmsMustKeepRunning()) {
                for (String vm : vmsAtStart) {
                    if (check.firstWriteOfInstanceStartedAfter(vm, f.atMicros()).isPresent()) restarted.add(vm);
                }
            }
            for (String vm : f.affected().keySet()) {
                OptionalLong first = check.firstWriteOfInstanceStartedAfter(vm, f.atMicros());
                if (first.isPresent()) recovery.add((first.getAsLong() - f.atMicros()) / 1e6);
                else unrecovered.add(vm);
            }
            Map<String, Object> fm = new LinkedHashMap<>();
            fm.put("fault", f.what());
            fm.put("at_micros", f.atMicros());
            fm.put("vms_down", f.affected().size());
            faultList.add(fm);
        }
        Map<String, Ownership> owners = end.ownerMap();
        Map<String, ?> members = end.memberMap();
        for (String vm : end.vmMap().keySet()) {
            if (!DemoPool.runsOnLiveHost(owners.get(vm), members)) unrecovered.add(vm);
        }
        Set<String> lost = new TreeSet<>(vmsAtStart);
        lost.removeAll(end.vmMap().keySet());
        boolean keepRunning = faults.stream().anyMatch(Fault::vmsMustKeepRunning);
        boolean ok = check.doubleRuns().isEmpty() && lost.isEmpty() && unrecovered.isEmpty() && check.totalMalformedLines() == 0
                && (!keepRunning || (restarted.isEmpty() && fences == 0)) && !checks.containsValue(false);

        Map<String, Object> r = new LinkedHashMap<>();
        r.put("scenario", scenario);
        r.put("hosts", hosts);
        r.put("vms", vms);
        r.put("failures", failures);
        r.put("seed", seed);
        // What the VMs actually ran on, read from their specs (the pool runs one driver).
        r.put("driver", String.join(",", new TreeSet<>(end.vmMap().values().stream().map(io.vmha.core.VmSpec::driver).toList())));
        r.put("invariants_ok", ok);
        r.put("double_runs", check.doubleRuns().size());
        r.put("lost_vms", lost.size());
        r.put("unrecovered_protected_vms", unrecovered.size());
        r.put("fences", fences);
        if (keepRunning) r.put("vms_restarted", restarted.size());
        r.putAll(checks);
        r.put("recovery_seconds", percentiles(recovery));
        r.put("faults", faultList);
        if (!check.doubleRuns().isEmpty()) r.put("double_run_details", check.doubleRuns().stream().map(Object::toString).toList());
        if (!unrecovered.isEmpty()) r.put("unrecovered", unrecovered);
        if (!lost.isEmpty()) r.put("lost", lost);
        r.put("events", events.stream().map(e -> e.wallMillis() + " " + e.source() + ": " + e.message()).toList());
        return r;
    }

    /** Nearest-rank percentiles, in seconds rounded to milliseconds. */
    static Map<String, Object> percentiles(List<Double> values) {
        Map<String, Object> p = new LinkedHashMap<>();
        if (values.isEmpty()) {
            p.put("p50", null);
            p.put("p99", null);
            p.put("max", null);
            p.put("samples", 0);
            return p;
        }
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        p.put("p50", round(rank(sorted, 0.50)));
        p.put("p99", round(rank(sorted, 0.99)));
        p.put("max", round(sorted.get(sorted.size() - 1)));
        p.put("samples", sorted.size());
        return p;
    }

    private static double rank(List<Double> sorted, double q) {
        int i = (int) Math.ceil(q * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(i, sorted.size() - 1)));
    }

    private static double round(double seconds) { return Math.round(seconds * 1000) / 1000.0; }
}
