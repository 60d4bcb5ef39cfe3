/**
 * The {@code libvirt} hypervisor driver: each VM instance is a libvirt domain named after the VM, driven
 * through {@code virsh} (no libvirt-java/JNA). What an operator sees:
 *
 * <ul>
 * <li><b>Definition.</b> From the VM's driver parameters, either the operator's complete domain XML
 *     ({@code domain-xml}) or a built-in template (see {@link io.vmha.hypervisor.libvirt.DomainDefinition}).
 *     vmha changes only the {@code <name>} (the VM name), writes
 *     {@code <metadata><vmha:instance epoch=".." instance=".." host=".."/>} (the fencing token, kept by
 *     libvirt, so it survives a vmha restart) and adds an SMBIOS OEM string {@code vmha.io/libvirt}.
 *     The copy it defines is kept in {@code <run-directory>/domains/<vm>.xml}.</li>
 * <li><b>Persistent while owned, undefined when not.</b> A start defines the domain persistently and starts
 *     it, so a crashed domain stays listed ("shut off (crashed)") with its metadata until vmha has
 *     reported the exit. {@code stop}, {@code shutdownGracefully} and {@code acknowledgeExit} undefine it
 *     (only while its metadata still names that instance): a definition left on a host that no longer
 *     owns the VM would invite an operator's {@code virsh start} — a double run. On daemon start,
 *     domains of this host found shut off are undefined the same way.</li>
 * <li><b>Crash detection.</b> {@code virsh event --loop --event lifecycle} (restarted with backoff when it
 *     dies, journaled), each event confirmed with {@code virsh domstate --reason}; a
 *     {@code virsh list} poll every {@code poll-interval-ms} (5 s) is the backstop. The exit detail is
 *     libvirt's state and reason, e.g. {@code libvirt: shut off (crashed) (lifecycle event Stopped Failed)}
 *     after a kill -9 of qemu, {@code shut off (destroyed)} after an outside {@code virsh destroy},
 *     {@code shut off (shutdown)} after the guest powered off.</li>
 * <li><b>Guest panic.</b> The template sets {@code <panic model='isa'/>} and {@code on_crash=preserve}:
 *     libvirt keeps the panicked domain as "crashed (panicked)", {@code pingGuest} answers PANICKED and the
 *     HA policy decides; {@code reset} reboots it in place (same instance and epoch; the reset leaves it
 *     paused, so the driver resumes it). An operator's own XML keeps its own {@code on_crash}; with
 *     {@code destroy} a panic is reported as an exit instead.</li>
 * <li><b>Fence guard.</b> {@code processMarker()} is {@code type=11,value=vmha.io/libvirt}: libvirt passes
 *     the OEM string as its own qemu argument {@code -smbios type=11,value=vmha.io/libvirt}, present in every
 *     vmha domain whatever its name and in no other process (qemu's {@code guest=NAME} is on every libvirt
 *     domain, vmha's or not). {@code <qemu:commandline>} would do too but marks the domain tainted.
 *     {@code runningPids()} reads libvirt's pid files ({@code /run/libvirt/qemu/<vm>.pid}).</li>
 * <li><b>No live migration yet</b> ({@code migration()} is empty: a move is a stop and a cold start).
 *     {@code virsh migrate --live --suspend DOM DESTURI --migrateuri tcp://127.0.0.1:PORT} (see
 *     {@link io.vmha.hypervisor.libvirt.MigrationCommands}) sends the stream to a loopback port and leaves the
 *     destination paused, but does not fit the port: the destination is prepared by the destination's libvirtd
 *     inside {@code virsh migrate} (so {@code prepareIncoming} could only reserve a port), the source needs the
 *     destination's libvirt URI (not in the port), the migrate URI is both where the destination listens and
 *     where the source connects (so the tunnel's local port must have the target's port number), and libvirt
 *     kills the source once the destination finished: a COMPLETED source cannot be resumed if the move aborts.</li>
 * <li><b>Adoption.</b> A new driver lists every domain and adopts the active ones whose metadata names its
 *     host, with their epoch and instance id. {@code close()} stops watching; domains keep running.</li>
 * </ul>
 */
package io.vmha.hypervisor.libvirt;
