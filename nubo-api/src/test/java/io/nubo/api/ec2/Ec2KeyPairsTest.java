package io.nubo.api.ec2;

import io.nubo.api.TestCloud;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.KeyFormat;
import software.amazon.awssdk.services.ec2.model.KeyPairInfo;
import software.amazon.awssdk.services.ec2.model.KeyType;
import software.amazon.awssdk.services.ec2.model.ResourceType;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** Key pairs through the AWS SDK: create (rsa, ed25519), import, describe, delete. */
class Ec2KeyPairsTest extends Ec2CloudTest {
    static final String PUBLIC_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMS4ckprGdZRwJy4JMCMzz3o8M3cg5BDmXpwCwj4Ne88 test";
    static void rejects(String code, Executable call) {
        String before = cloud.snapshot();
        assertThat(Ec2Sdk.fails(code, call).statusCode()).isBetween(400, 499);
        assertThat(cloud.snapshot()).as("nothing changed after %s", code).isEqualTo(before);
    }

    @Test
    void createdKeysReturnTheirPrivateKeyOnceAndAreDescribedWithoutIt() {
        var rsa = ec2.createKeyPair(b -> b.keyName("rsa-key").tagSpecifications(t -> t.resourceType(ResourceType.KEY_PAIR)
                .tags(x -> x.key("owner").value("ops"))));
        assertThat(rsa.keyMaterial()).startsWith("-----BEGIN OPENSSH PRIVATE KEY-----");
        assertThat(rsa.keyPairId()).matches("key-[0-9a-f]{17}");
        assertThat(rsa.keyFingerprint()).matches("([0-9a-f]{2}:){19}[0-9a-f]{2}");
        assertThat(rsa.tags()).singleElement().satisfies(t -> assertThat(t.key()).isEqualTo("owner"));
        var ed = ec2.createKeyPair(b -> b.keyName("ed-key").keyType(KeyType.ED25519).keyFormat(KeyFormat.PEM));
        assertThat(ed.keyMaterial()).contains("OPENSSH PRIVATE KEY");
        Ec2Sdk.waiter(ec2).waitUntilKeyPairExists(b -> b.keyNames("ed-key"));

        KeyPairInfo described = ec2.describeKeyPairs(b -> b.keyNames("rsa-key")).keyPairs().get(0);
        assertThat(described.keyPairId()).isEqualTo(rsa.keyPairId());
        assertThat(described.keyFingerprint()).isEqualTo(rsa.keyFingerprint());
        assertThat(described.keyType()).isEqualTo(KeyType.RSA);
        assertThat(described.publicKey()).isNull();
        assertThat(described.createTime()).isNotNull();
        assertThat(described.tags()).hasSize(1);
        assertThat(ec2.describeKeyPairs(b -> b.keyPairIds(ed.keyPairId()).includePublicKey(true)).keyPairs().get(0).publicKey())
                .startsWith("ssh-ed25519 ");
        assertThat(ec2.describeKeyPairs(b -> b.filters(f -> f.name("key-type").values("ed25519"), f -> f.name("key-name").values("ed-*"))).keyPairs())
                .extracting(KeyPairInfo::keyName).containsExactly("ed-key");
        assertThat(ec2.describeKeyPairs(b -> b.filters(f -> f.name("key-name").values("*-key"), f -> f.name("tag:owner").values("ops")))
                .keyPairs()).extracting(KeyPairInfo::keyName).containsExactly("rsa-key");
    }

    @Test
    void importedKeysArriveBase64EncodedAsTheSdksSendThem() {
        var imported = ec2.importKeyPair(b -> b.keyName("imported").publicKeyMaterial(SdkBytes.fromString(PUBLIC_KEY, StandardCharsets.UTF_8)));
        assertThat(imported.keyFingerprint()).isNotBlank();
        assertThat(imported.keyPairId()).startsWith("key-");
        assertThat(ec2.describeKeyPairs(b -> b.keyNames("imported").includePublicKey(true)).keyPairs().get(0).publicKey())
                .startsWith(PUBLIC_KEY.substring(0, 60));
        String id = ec2.runInstances(b -> b.imageId(cloud.imageId).minCount(1).maxCount(1).keyName("imported")).instances().get(0).instanceId();
        assertThat(ec2.describeInstances(b -> b.instanceIds(id)).reservations().get(0).instances().get(0).keyName()).isEqualTo("imported");
    }

    @Test
    void deletingByNameAlwaysSucceedsAndByIdNeedsTheKey() {
        String id = ec2.createKeyPair(b -> b.keyName("doomed")).keyPairId();
        var deleted = ec2.deleteKeyPair(b -> b.keyName("doomed"));
        assertThat(deleted.returnValue()).isTrue();
        assertThat(deleted.keyPairId()).isEqualTo(id);
        assertThat(ec2.deleteKeyPair(b -> b.keyName("doomed")).returnValue()).as("again: EC2 says true").isTrue();
        String other = ec2.createKeyPair(b -> b.keyName("doomed-by-id")).keyPairId();
        assertThat(ec2.deleteKeyPair(b -> b.keyPairId(other)).keyPairId()).isEqualTo(other);
        rejects("InvalidKeyPair.NotFound", () -> ec2.deleteKeyPair(b -> b.keyPairId(other)));
        rejects("InvalidKeyPair.NotFound", () -> ec2.describeKeyPairs(b -> b.keyNames("doomed")));
    }

    @Test
    void badKeyRequestsAreRefusedPrecisely() {
        ec2.createKeyPair(b -> b.keyName("taken"));
        rejects("InvalidKeyPair.Duplicate", () -> ec2.createKeyPair(b -> b.keyName("taken")));
        rejects("InvalidKeyPair.Duplicate", () -> ec2.importKeyPair(b -> b.keyName("taken")
                .publicKeyMaterial(SdkBytes.fromString(PUBLIC_KEY, StandardCharsets.UTF_8))));
        rejects("MissingParameter", () -> ec2.createKeyPair(b -> { }));
        rejects("MissingParameter", () -> ec2.importKeyPair(b -> b.keyName("no-material")));
        rejects("MissingParameter", () -> ec2.deleteKeyPair(b -> { }));
        rejects("InvalidParameterValue", () -> ec2.createKeyPair(b -> b.keyName("k").keyType("dsa")));
        rejects("UnsupportedOperation", () -> ec2.createKeyPair(b -> b.keyName("k").keyFormat(KeyFormat.PPK)));
        rejects("InvalidParameterValue", () -> ec2.createKeyPair(b -> b.keyName("bad\u0001name")));
        rejects("InvalidKey.Format", () -> ec2.importKeyPair(b -> b.keyName("garbage")
                .publicKeyMaterial(SdkBytes.fromString("not a key at all", StandardCharsets.UTF_8))));
        rejects("InvalidKeyPair.NotFound", () -> ec2.describeKeyPairs(b -> b.keyNames("never-made")));
        rejects("InvalidKeyPair.NotFound", () -> ec2.describeKeyPairs(b -> b.keyPairIds("key-0123456789abcdef0")));
        rejects("InvalidParameterValue", () -> ec2.describeKeyPairs(b -> b.filters(f -> f.name("colour").values("x"))));
        rejects("InvalidParameterCombination", () -> ec2.deleteKeyPair(b -> b.keyName("taken").keyPairId("key-0123456789abcdef0")));
        rejects("InvalidParameterValue", () -> ec2.createKeyPair(b -> b.keyName("k").tagSpecifications(t -> t.resourceType(ResourceType.INSTANCE)
                .tags(x -> x.key("a").value("b")))));
    }
}
