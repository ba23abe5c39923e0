package io.nubo.api.rest;

/** The JSON request bodies of the REST API. Absent fields are null; handlers apply defaults. */
public final class Bodies {
    private Bodies() {
    }

    /** Launch {@code count} instances (or between minCount and maxCount). {@code userData} is base64. */
    /** securityGroupIds: the account's groups for the instances (the default group when left out), as EC2's SecurityGroupId.N. */
    /** keepRootVolume: the root volume outlives the instance, as EC2's DeleteOnTermination=false (default false). */
    public record RunInstances(String imageId, String instanceType, Integer count, Integer minCount, Integer maxCount,
                               String name, String keyName, String userData, java.util.List<String> securityGroupIds, Boolean ha,
                               Integer rootDiskGib, Boolean keepRootVolume) {
        @Override
        public String toString() {
            return "RunInstances[" + imageId + " " + instanceType + "]";
        }
    }

    public record StopInstance(Boolean force) {
    }

    public record CreateAccount(String name, Integer instanceQuota) {
    }

    /** Overcommit ratios: 4.0 lets the scheduler place four vCPUs per physical one. */
    public record HostOvercommit(Double cpuRatio, Double memoryRatio) {
    }

    /** {@code requiresAccelerator}: {@code kvm} or {@code tcg} for a type only hosts with that accelerator take; absent: any. */
    public record PutInstanceType(Integer vcpus, Integer memoryMib, Long priceMicrosPerHour, String requiresAccelerator) {
    }

    public record CreateKeyPair(String keyName, String keyType) {
    }

    /** {@code publicKeyMaterial} is the OpenSSH public key line, as text. */
    public record ImportKeyPair(String keyName, String publicKeyMaterial) {
    }

    public record Empty() {
    }

    /**
     * Import an image from {@code url}, or (operators) from {@code path} on the server; {@code format}
     * (qcow2 or raw) converts it, and without it the image keeps its own format.
     */
    public record ImportImage(String name, String description, String url, String path, String format) {
        @Override
        public String toString() {
            return "ImportImage[" + name + "]"; // the URL may carry a token
        }
    }

    /** Share with accounts ({@code add}), stop sharing ({@code remove}), and (operators) make public or private. */
    public record LaunchPermissions(java.util.List<String> add, java.util.List<String> remove, Boolean isPublic) {
    }
}
