package io.nubo.api.rest;

/** The JSON request bodies of the REST API. Absent fields are null; handlers apply defaults. */
public final class Bodies {
    private Bodies() {
    }

    /** Launch {@code count} instances (or between minCount and maxCount). {@code userData} is base64. */
    public record RunInstances(String imageId, String instanceType, Integer count, Integer minCount, Integer maxCount,
                               String name, String keyName, String userData) {
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

    public record PutInstanceType(Integer vcpus, Integer memoryMib, Long priceMicrosPerHour) {
    }

    public record CreateKeyPair(String keyName, String keyType) {
    }

    /** {@code publicKeyMaterial} is the OpenSSH public key line, as text. */
    public record ImportKeyPair(String keyName, String publicKeyMaterial) {
    }

    public record Empty() {
    }
}
