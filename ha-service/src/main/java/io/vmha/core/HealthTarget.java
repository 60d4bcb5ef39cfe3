package io.vmha.core;

/** One running instance the owner host checks, and with what: the VM's health policy. */
public record HealthTarget(String vm, String instanceId, VmHealth health) {}
