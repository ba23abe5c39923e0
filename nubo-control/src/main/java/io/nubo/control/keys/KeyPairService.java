package io.nubo.control.keys;

import io.nubo.control.tags.Tagging;
import io.nubo.core.ErrorCode;
import io.nubo.core.Ids;
import io.nubo.core.NuboException;
import io.nubo.core.model.KeyPairInfo;
import io.nubo.core.filter.Filter;
import io.nubo.core.filter.FilterSet;
import io.nubo.core.model.Principal;
import io.nubo.core.model.ResourceType;
import io.nubo.core.model.Tag;
import io.nubo.store.Database;

import java.time.Clock;
import java.util.List;
import java.util.Map;

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

    /** A key pair with the caller's tags on it. */
    public record KeyPairDetails(KeyPairInfo keyPair, List<Tag> tags) {
    }

    private static final FilterSet<KeyPairDetails> FILTERS = FilterSet.<KeyPairDetails>builder()
            .one("key-pair-id", d -> d.keyPair().id())
            .one("key-name", d -> d.keyPair().name())
            .one("fingerprint", d -> d.keyPair().fingerprint())
            .one("key-type", d -> d.keyPair().type())
            .tags(KeyPairDetails::tags)
            .build();

    public Created create(Principal caller, String name, String type) {
        return create(caller, name, type, null, List.of());
    }

    /** Creates a key pair; {@code format} is the private key's format (only {@code pem}, the default). */
    public Created create(Principal caller, String name, String type, String format, List<Tag> tags) {
        validateName(name);
        String t = type == null ? "rsa" : type;
        if (!t.equals("rsa") && !t.equals("ed25519")) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "Invalid value '%s' for KeyType: use rsa or ed25519", t);
        }
        if (format != null && !format.equals("pem")) {
            throw NuboException.of(format.equals("ppk") ? ErrorCode.UNSUPPORTED_OPERATION : ErrorCode.INVALID_PARAMETER_VALUE,
                    "Invalid value '%s' for KeyFormat: only pem is supported", format);
        }
        Tagging.validate(tags);
        SshKeys.Generated g = SshKeys.generate(t, name);
        KeyPairInfo k = new KeyPairInfo(Ids.next(Ids.KEY_PAIR), caller.accountId(), name, t, g.fingerprint(), g.publicKey(), clock.instant());
        insert(k, tags);
        return new Created(k, g.privateKeyPem());
    }

    public KeyPairInfo importKey(Principal caller, String name, String publicKeyMaterial) {
        return importKey(caller, name, publicKeyMaterial, List.of());
    }

    public KeyPairInfo importKey(Principal caller, String name, String publicKeyMaterial, List<Tag> tags) {
        validateName(name);
        Tagging.validate(tags);
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
        insert(k, tags);
        return k;
    }

    private void insert(KeyPairInfo k, List<Tag> tags) {
        db.inTransaction(s -> {
            if (!s.keyPairs().insert(k)) {
                throw NuboException.of(ErrorCode.INVALID_KEY_PAIR_DUPLICATE, "The keypair '%s' already exists.", k.name());
            }
            Tagging.apply(s, k.accountId(), k.id(), ResourceType.KEY_PAIR, tags);
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

    /** EC2's DescribeKeyPairs: by name, by ID and by filters; an unknown name or ID is an error. */
    public List<KeyPairDetails> describe(Principal caller, List<String> names, List<String> ids, List<Filter> filters) {
        var matching = FILTERS.compile(filters);
        return db.read(s -> {
            List<KeyPairInfo> all = s.keyPairs().list(caller.accountId());
            for (String n : names) {
                if (all.stream().noneMatch(k -> k.name().equals(n))) {
                    throw notFound(n);
                }
            }
            for (String id : ids) {
                if (all.stream().noneMatch(k -> k.id().equals(id))) {
                    throw notFound(id);
                }
            }
            Map<String, List<Tag>> tags = s.tags().forResources(caller.accountId(), all.stream().map(KeyPairInfo::id).toList());
            return all.stream().filter(k -> (names.isEmpty() && ids.isEmpty()) || names.contains(k.name()) || ids.contains(k.id()))
                    .map(k -> new KeyPairDetails(k, tags.getOrDefault(k.id(), List.of()))).filter(matching).toList();
        });
    }

    /** Deletes the key pair with this ID; an unknown ID is {@code InvalidKeyPair.NotFound}. */
    public KeyPairInfo deleteById(Principal caller, String id) {
        return db.inTransaction(s -> {
            KeyPairInfo k = s.keyPairs().findById(caller.accountId(), id).orElseThrow(() -> notFound(id));
            s.keyPairs().delete(caller.accountId(), k.name());
            s.tags().deleteAll(caller.accountId(), k.id());
            s.events().append(clock.instant(), caller.accountId(), k.id(), "key-pair.deleted", k.type(), null, k.name());
            return k;
        });
    }

    /** Deletes the key pair; returns false if there was none (EC2 treats that as success). */
    public boolean delete(Principal caller, String name) {
        return db.inTransaction(s -> {
            var k = s.keyPairs().findByName(caller.accountId(), name);
            if (k.isEmpty()) {
                return false;
            }
            s.keyPairs().delete(caller.accountId(), name);
            s.tags().deleteAll(caller.accountId(), k.get().id());
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
