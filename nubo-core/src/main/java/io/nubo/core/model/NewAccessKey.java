package io.nubo.core.model;

/** A freshly created access key with its secret, which is never shown again. */
public record NewAccessKey(String accessKeyId, String secretAccessKey, String accountId) {
    @Override
    public String toString() {
        return "NewAccessKey[accessKeyId=" + accessKeyId + ", accountId=" + accountId + ", secret=***]";
    }
}
