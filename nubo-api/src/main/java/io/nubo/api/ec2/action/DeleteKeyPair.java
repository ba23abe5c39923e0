package io.nubo.api.ec2.action;

import io.nubo.api.ec2.Ec2Command;
import io.nubo.api.ec2.Ec2Context;
import io.nubo.api.ec2.Ec2Reply;
import io.nubo.api.ec2.query.Params;
import io.nubo.core.ErrorCode;
import io.nubo.core.NuboException;

import java.util.Optional;

/**
 * DeleteKeyPair: by name, which succeeds even when there is no such key pair (as on EC2), or by
 * ID, which must exist.
 */
public record DeleteKeyPair(Optional<String> name, Optional<String> id) implements Ec2Command {
    public static DeleteKeyPair parse(Params p) {
        Optional<String> name = p.nonEmpty("KeyName");
        Optional<String> id = p.nonEmpty("KeyPairId");
        if (name.isEmpty() && id.isEmpty()) {
            throw NuboException.of(ErrorCode.MISSING_PARAMETER, "The request must contain the parameter KeyName or KeyPairId");
        }
        if (name.isPresent() && id.isPresent()) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_COMBINATION, "Give KeyName or KeyPairId, not both");
        }
        return new DeleteKeyPair(name, id);
    }

    @Override
    public Ec2Reply execute(Ec2Context c) {
        var keys = c.services().keyPairs();
        String deletedId;
        if (id.isPresent()) {
            deletedId = keys.deleteById(c.caller(), id.get()).id();
        } else {
            var existing = keys.describe(c.caller(), java.util.List.of(), java.util.List.of(), java.util.List.of()).stream()
                    .filter(d -> d.keyPair().name().equals(name.get())).findFirst();
            keys.delete(c.caller(), name.get());
            deletedId = existing.map(d -> d.keyPair().id()).orElse(null);
        }
        return o -> o.bool("return", true).text("keyPairId", deletedId);
    }
}
