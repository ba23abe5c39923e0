package io.nubo.control.query;

import io.nubo.core.ErrorCode;
import io.nubo.core.NuboException;

import java.util.List;

/**
 * The "does not exist" errors, one per resource type, with EC2's codes and wording. Another
 * account's resource gets the same answer as one that never existed. Stateless.
 */
public final class NotFound {
    private NotFound() {
    }

    public static NuboException instances(List<String> ids) {
        return NuboException.of(ErrorCode.INVALID_INSTANCE_ID_NOT_FOUND, "The instance ID%s '%s' do%s not exist",
                ids.size() > 1 ? "s" : "", String.join(", ", ids), ids.size() > 1 ? "" : "es");
    }

    public static NuboException image(String id) {
        return NuboException.of(ErrorCode.INVALID_AMI_ID_NOT_FOUND, "The image id '[%s]' does not exist", id);
    }

    public static NuboException images(List<String> ids) {
        return NuboException.of(ErrorCode.INVALID_AMI_ID_NOT_FOUND, "The image id '[%s]' does not exist", String.join(", ", ids));
    }

    public static NuboException group(String idOrName) {
        return NuboException.of(ErrorCode.INVALID_GROUP_NOT_FOUND, "The security group '%s' does not exist", idOrName);
    }

    public static NuboException vpc(String id) {
        return NuboException.of(ErrorCode.INVALID_VPC_ID_NOT_FOUND, "The vpc ID '%s' does not exist", id);
    }

    public static NuboException subnet(String id) {
        return NuboException.of(ErrorCode.INVALID_SUBNET_ID_NOT_FOUND, "The subnet ID '%s' does not exist", id);
    }

    public static NuboException keyPair(String nameOrId) {
        return NuboException.of(ErrorCode.INVALID_KEY_PAIR_NOT_FOUND, "The key pair '%s' does not exist", nameOrId);
    }

    public static NuboException snapshot(String id) {
        return NuboException.of(ErrorCode.INVALID_SNAPSHOT_NOT_FOUND, "The snapshot '%s' does not exist.", id);
    }

    public static NuboException volume(String id) {
        return NuboException.of(ErrorCode.INVALID_VOLUME_NOT_FOUND, "The volume '%s' does not exist.", id);
    }
}
