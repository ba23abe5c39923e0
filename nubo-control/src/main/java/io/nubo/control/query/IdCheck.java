package io.nubo.control.query;

import io.nubo.core.ErrorCode;
import io.nubo.core.Ids;
import io.nubo.core.NuboException;

import java.util.Collection;

/** Checks that IDs are well formed before anything is looked up, with EC2's {@code .Malformed} codes. Stateless. */
public final class IdCheck {
    private IdCheck() {
    }

    public static void instances(Collection<String> ids) {
        ids.forEach(id -> check(Ids.INSTANCE, id, ErrorCode.INVALID_INSTANCE_ID_MALFORMED));
    }

    public static void images(Collection<String> ids) {
        ids.forEach(id -> check(Ids.IMAGE, id, ErrorCode.INVALID_AMI_ID_MALFORMED));
    }

    public static void groups(Collection<String> ids) {
        ids.forEach(id -> check(Ids.SECURITY_GROUP, id, ErrorCode.INVALID_GROUP_ID_MALFORMED));
    }

    public static void vpcs(Collection<String> ids) {
        ids.forEach(id -> check(Ids.VPC, id, ErrorCode.INVALID_VPC_ID_MALFORMED));
    }

    public static void subnets(Collection<String> ids) {
        ids.forEach(id -> check(Ids.SUBNET, id, ErrorCode.INVALID_SUBNET_ID_MALFORMED));
    }

    public static void volumes(Collection<String> ids) {
        ids.forEach(id -> check(Ids.VOLUME, id, ErrorCode.INVALID_VOLUME_ID_MALFORMED));
    }

    public static void snapshots(Collection<String> ids) {
        ids.forEach(id -> check(Ids.SNAPSHOT, id, ErrorCode.INVALID_SNAPSHOT_ID_MALFORMED));
    }

    private static void check(String prefix, String id, ErrorCode code) {
        if (!Ids.isWellFormed(prefix, id)) {
            throw NuboException.of(code, "Invalid id: \"%s\" (expecting \"%s-...\")", id, prefix);
        }
    }
}
