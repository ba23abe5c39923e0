package io.nubo.api.ec2.action;

import io.nubo.api.ec2.Ec2Command;
import io.nubo.api.ec2.Ec2Context;
import io.nubo.api.ec2.Ec2Reply;
import io.nubo.api.ec2.query.Params;
import io.nubo.core.model.ResourceType;
import io.nubo.core.model.Tag;

import java.util.List;

/** CreateKeyPair: rsa or ed25519; the private key is in this answer only. */
public record CreateKeyPair(String name, String type, String format, List<Tag> tags) implements Ec2Command {
    public static CreateKeyPair parse(Params p) {
        return new CreateKeyPair(p.required("KeyName"), p.nonEmpty("KeyType").orElse(null), p.nonEmpty("KeyFormat").orElse(null),
                Inputs.tagSpecifications(p, ResourceType.KEY_PAIR));
    }

    @Override
    public Ec2Reply execute(Ec2Context c) {
        var created = c.services().keyPairs().create(c.caller(), name, type, format, tags);
        var k = created.keyPair();
        return o -> {
            o.text("keyPairId", k.id()).text("keyName", k.name()).text("keyFingerprint", k.fingerprint())
                    .text("keyMaterial", created.privateKeyPem());
            Render.tagSet(o, tags);
        };
    }

    @Override
    public String toString() {
        return "CreateKeyPair[" + name + "]";
    }
}
