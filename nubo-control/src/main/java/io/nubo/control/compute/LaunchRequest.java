package io.nubo.control.compute;

/**
 * A request to launch instances: between {@code minCount} and {@code maxCount} of them, as many
 * as quota and capacity allow. {@code userData} is base64, as EC2 carries it.
 */
public record LaunchRequest(String imageId, String instanceType, int minCount, int maxCount, String name,
                            String keyName, String userData) {
    @Override
    public String toString() {
        return "LaunchRequest[" + imageId + " " + instanceType + " x" + minCount + ".." + maxCount + "]";
    }
}
