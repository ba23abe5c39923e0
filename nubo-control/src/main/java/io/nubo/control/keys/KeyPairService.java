package io.nubo.control.keys;

import io.nubo.core.ErrorCode;
import io.nubo.core.Ids;
import io.nubo.core.NuboException;
import io.nubo.core.model.KeyPairInfo;
import io.nubo.core.model.Principal;
import io.nubo.store.Database;

import java.time.Clock;
import java.util.List;

/** SSH key pairs: create (the private key is returned once), import, list, delete. Thread-safe. */
public final class KeyPairService {
    private static final int MAX_MATERIAL = 16 * 1024;

    private final Database db;
    private final Clock clock;

    public KeyPairService(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /** A created key pair with its private key, which is never stored or shown again. */
    public record Created(KeyPairInfo keyPair, String privateKeyPem) {
        @Override
        public String toString() {
            return "Created[" + keyPair.name() + ", private key ***]";
        }
    }

    public Created create(Principal caller, String name, String type) {
        validateName(name);
        String t = type == null ? "rsa" : type;
        if (!t.equals("rsa") && !t.equals("ed25519")) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "Invalid value '%s' for KeyType: use rsa or ed25519", t);
        }
        SshKeys.Generated g = SshKeys.generate(t, name);
        KeyPairInfo k = new KeyPairInfo(Ids.next(Ids.KEY_PAIR), caller.accountId(), name, t, g.fingerprint(), g.publicKey(), clock.instant());
        insert(k);
        return new Created(k, g.privateKeyPem());
    }

    public KeyPairInfo importKey(Principal caller, String name, String publicKeyMaterial) {
        validateName(name);
        if (publicKeyMaterial == null || publicKeyMaterial.isBlank()) {
            throw NuboException.of(ErrorCode.MISSING_PARAMETER, "The request must contain the parameter PublicKeyMaterial");
        }
        if (publicKeyMaterial.length() > MAX_MATERIAL) {
            throw NuboException.of(ErrorCode.INVALID_KEY_FORMAT, "Key is too long");
        }
        SshKeys.Parsed p;
        try {
            p = SshKeys.parse(publicKeyMaterial);
        } catch (IllegalArgumentException e) {
            throw NuboException.of(ErrorCode.INVALID_KEY_FORMAT, "Key is not in valid OpenSSH public key format: %s", e.getMessage());
        }
        KeyPairInfo k = new KeyPairInfo(Ids.next(Ids.KEY_PAIR), caller.accountId(), name, p.type(), p.fingerprint(), p.publicKey(),
                clock.instant());
        insert(k);
        return k;
    }

    private void insert(KeyPairInfo k) {
        db.inTransaction(s -> {
            if (!s.keyPairs().insert(k)) {
                throw NuboException.of(ErrorCode.INVALID_KEY_PAIR_DUPLICATE, "The keypair '%s' already exists.", k.name());
            }
            s.events().append(k.createdAt(), k.accountId(), k.id(), "key-pair.created", null, k.type(), k.name());
            return null;
        });
    }

    public List<KeyPairInfo> list(Principal caller) {
        return db.read(s -> s.keyPairs().list(caller.accountId()));
    }

    public KeyPairInfo get(Principal caller, String name) {
        return db.read(s -> s.keyPairs().findByName(caller.accountId(), name)).orElseThrow(() -> notFound(name));
    }

    /** Deletes the key pair; returns false if there was none (EC2 treats that as success). */
    public boolean delete(Principal caller, String name) {
        return db.inTransaction(s -> {
            var k = s.keyPairs().findByName(caller.accountId(), name);
            if (k.isEmpty()) {
                return false;
            }
            s.keyPairs().delete(caller.accountId(), name);
            s.events().append(clock.instant(), caller.accountId(), k.get().id(), "key-pair.deleted", k.get().type(), null, name);
            return true;
        });
    }

    public static NuboException notFound(String name) {
        return NuboException.of(ErrorCode.INVALID_KEY_PAIR_NOT_FOUND, "The key pair '%s' does not exist", name);
    }

    private static void validateName(String name) {
        if (name == null || name.isEmpty()) {
            throw NuboException.of(ErrorCode.MISSING_PARAMETER, "The request must contain the parameter KeyName");
        }
        if (name.length() > 255 || !name.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "Key names are 1 to 255 printable ASCII characters");
        }
    }
}
