package io.nubo.api.ec2.action;

import io.nubo.api.ec2.Ec2Command;
import io.nubo.api.ec2.Ec2Context;
import io.nubo.api.ec2.Ec2Reply;
import io.nubo.api.ec2.query.Params;
import io.nubo.core.filter.Filter;

import java.util.List;

/** DescribeKeyPairs: by name, ID and filters (not paginated, as on EC2). */
public record DescribeKeyPairs(List<String> names, List<String> ids, List<Filter> filters, boolean includePublicKey) implements Ec2Command {
    public static DescribeKeyPairs parse(Params p) {
        return new DescribeKeyPairs(p.strings("KeyName"), p.strings("KeyPairId"), Inputs.filters(p),
                p.bool("IncludePublicKey").orElse(false));
    }

    @Override
    public Ec2Reply execute(Ec2Context c) {
        var keys = c.services().keyPairs().describe(c.caller(), names, ids, filters);
        return o -> o.list("keySet", keys, (x, d) -> {
            var k = d.keyPair();
            x.text("keyPairId", k.id()).text("keyName", k.name()).text("keyFingerprint", k.fingerprint()).text("keyType", k.type());
            Render.tagSet(x, d.tags());
            if (includePublicKey) {
                x.text("publicKey", k.publicKey());
            }
            x.time("createTime", k.createdAt());
        });
    }
}
