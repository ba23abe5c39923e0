package io.nubo.api.ec2.action;

import io.nubo.api.ec2.query.Params;
import io.nubo.control.placement.PlacementGroupService;
import io.nubo.core.ErrorCode;
import io.nubo.core.NuboException;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The RunInstances parameters EC2 acts on that Nubo has no counterpart for. A value that asks for
 * what Nubo does anyway is accepted: Terraform's AWS provider sends {@code DisableApiTermination=false},
 * {@code EbsOptimized=false} and {@code HibernationOptions.Configured=false} on every launch, and
 * {@code CreditSpecification.CpuCredits=unlimited} for t3 types, so refusing those would refuse
 * Terraform altogether. Any other value, and any parameter in {@link #REFUSED}, is refused with
 * {@code UnsupportedOperation} naming it: a launch never silently lacks what its caller asked for.
 * Stateless.
 */
final class LaunchOptions {
    /** Parameters refused whatever their value: Nubo has nothing they could select or configure. */
    static final List<String> REFUSED = List.of("NetworkInterface", "LaunchTemplate",
            "InstanceMarketOptions", "IamInstanceProfile", "ElasticGpuSpecification", "ElasticInferenceAccelerator",
            "LicenseSpecification", "CpuOptions", "MetadataOptions", "PrivateDnsNameOptions", "MaintenanceOptions",
            "NetworkPerformanceOptions", "Operator", "SecondaryInterface", "KernelId", "RamdiskId", "PrivateIpAddress",
            "Ipv6Address");
    /** Placement fields other than the zone, the placement group and the tenancy: dedicated hosts and the like. */
    private static final List<String> PLACEMENT_REFUSED = List.of("AvailabilityZoneId", "Affinity", "HostId", "HostResourceGroupArn",
            "SpreadDomain");

    /** Where a launch asks to go: a zone, and a placement group (by name or ID) with a partition in it. */
    record Placement(String zone, String group, Integer partition) {
        static final Placement NONE = new Placement(null, null, null);
    }

    private LaunchOptions() {
    }

    /** Refuses what Nubo cannot do; returns what the launch's {@code Placement} asks for. */
    static Placement check(Params p) {
        for (String name : REFUSED) {
            if (p.string(name).isPresent() || p.struct(name).isPresent()) {
                throw unsupported("Nubo does not support the parameter %s", name);
            }
        }
        onlyFalse(p, "DisableApiTermination", "termination protection");
        onlyFalse(p, "DisableApiStop", "stop protection");
        onlyFalse(p, "EbsOptimized", "EBS-optimised instances");
        onlyFalse(p, "EnablePrimaryIpv6", "IPv6");
        p.integer("Ipv6AddressCount").filter(n -> n != 0).ifPresent(n -> {
            throw unsupported("Nubo does not offer IPv6 addresses (Ipv6AddressCount=%d)", n);
        });
        // A guest that shuts itself down is stopped, as EC2's default "stop" says; Nubo cannot terminate it instead.
        only(p.nonEmpty("InstanceInitiatedShutdownBehavior"), "InstanceInitiatedShutdownBehavior", "stop");
        p.nonEmpty("AdditionalInfo");   // EC2 documents it as reserved and acts on nothing in it
        p.struct("HibernationOptions").ifPresent(h -> onlyFalse(h, "Configured", "hibernation"));
        p.struct("EnclaveOptions").ifPresent(e -> onlyFalse(e, "Enabled", "Nitro Enclaves"));
        p.struct("Monitoring").ifPresent(m -> onlyFalse(m, "Enabled", "detailed monitoring"));
        // Nubo never holds a vCPU to a baseline, which is what "unlimited" CPU credits mean.
        p.struct("CreditSpecification").ifPresent(c ->
                only(c.nonEmpty("CpuCredits"), c.fullName("CpuCredits"), "unlimited"));
        p.struct("CapacityReservationSpecification").ifPresent(c -> {
            if (c.struct("CapacityReservationTarget").isPresent()) {
                throw unsupported("Nubo has no capacity reservations to target (%s)", c.fullName("CapacityReservationTarget"));
            }
            // With no reservations at all, "open" and "none" both launch on ordinary capacity.
            c.nonEmpty("CapacityReservationPreference").filter(v -> !v.equals("open") && !v.equals("none")).ifPresent(v -> {
                throw unsupported("Nubo has no capacity reservations (%s=%s)", c.fullName("CapacityReservationPreference"), v);
            });
        });
        Optional<Params> placement = p.struct("Placement");
        if (placement.isEmpty()) {
            return Placement.NONE;
        }
        Params pl = placement.get();
        for (String name : PLACEMENT_REFUSED) {
            if (pl.nonEmpty(name).isPresent()) {
                throw unsupported("Nubo does not support dedicated hosts, affinity or spread domains (%s)", pl.fullName(name));
            }
        }
        pl.nonEmpty("Tenancy").filter(t -> !t.equals("default")).ifPresent(t -> {
            throw unsupported("Nubo supports only the default tenancy (not %s)", t);
        });
        Optional<String> name = pl.nonEmpty("GroupName");
        Optional<String> id = pl.nonEmpty("GroupId");
        if (name.isPresent() && id.isPresent()) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_COMBINATION, "Give %s or %s, not both", pl.fullName("GroupName"),
                    pl.fullName("GroupId"));
        }
        id.ifPresent(PlacementGroupService::checkId);
        return new Placement(pl.nonEmpty("AvailabilityZone").orElse(null), name.or(() -> id).orElse(null),
                pl.integer("PartitionNumber").orElse(null));
    }

    private static void onlyFalse(Params p, String name, String what) {
        if (p.bool(name).orElse(false)) {
            throw unsupported("Nubo does not offer %s (%s=true)", what, p.fullName(name));
        }
    }

    private static void only(Optional<String> value, String name, String accepted) {
        value.filter(v -> !v.toLowerCase(Locale.ROOT).equals(accepted)).ifPresent(v -> {
            throw unsupported("Nubo supports only %s=%s (not %s)", name, accepted, v);
        });
    }

    private static NuboException unsupported(String format, Object... args) {
        return NuboException.of(ErrorCode.UNSUPPORTED_OPERATION, format, args);
    }
}
