package io.nubo.api.ec2.action;

import io.nubo.api.ec2.Ec2Command;
import io.nubo.api.ec2.Ec2Context;
import io.nubo.api.ec2.Ec2Reply;
import io.nubo.api.ec2.query.Params;
import io.nubo.core.ErrorCode;
import io.nubo.core.NuboException;
import io.nubo.core.model.ResourceType;
import io.nubo.core.model.Tag;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * ImportKeyPair: {@code PublicKeyMaterial} is a blob, so clients send the OpenSSH public key line
 * base64-encoded; a plain {@code ssh-...} line is accepted too.
 */
public record ImportKeyPair(String name, String publicKey, List<Tag> tags) implements Ec2Command {
    public static ImportKeyPair parse(Params p) {
        String name = p.required("KeyName");
        String material = p.required("PublicKeyMaterial").trim();
        return new ImportKeyPair(name, decode(material), Inputs.tagSpecifications(p, ResourceType.KEY_PAIR));
    }

    static String decode(String material) {
        if (material.startsWith("ssh-") || material.startsWith("ecdsa-")) {
            return material;
        }
        try {
            return new String(Base64.getMimeDecoder().decode(material), StandardCharsets.UTF_8).trim();
        } catch (IllegalArgumentException e) {
            throw NuboException.of(ErrorCode.INVALID_KEY_FORMAT, "PublicKeyMaterial is not valid base64");
        }
    }

    @Override
    public Ec2Reply execute(Ec2Context c) {
        var k = c.services().keyPairs().importKey(c.caller(), name, publicKey, tags);
        return o -> {
            o.text("keyFingerprint", k.fingerprint()).text("keyName", k.name()).text("keyPairId", k.id());
            Render.tagSet(o, tags);
        };
    }
}
