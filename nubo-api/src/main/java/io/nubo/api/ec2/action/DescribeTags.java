package io.nubo.api.ec2.action;

import io.nubo.api.ec2.Ec2Command;
import io.nubo.api.ec2.Ec2Context;
import io.nubo.api.ec2.Ec2Reply;
import io.nubo.api.ec2.query.Params;
import io.nubo.core.filter.Filter;
import io.nubo.core.model.PageRequest;

import java.util.List;

/** DescribeTags: the caller's tags, by key, value, resource-id and resource-type, in pages of 5 to 1000. */
public record DescribeTags(List<Filter> filters, PageRequest page) implements Ec2Command {
    public static DescribeTags parse(Params p) {
        return new DescribeTags(Inputs.filters(p), Inputs.page(p));
    }

    @Override
    public Ec2Reply execute(Ec2Context c) {
        var result = c.services().tags().describe(c.caller(), filters, page);
        return o -> {
            o.list("tagSet", result.items(), (x, t) -> x.text("resourceId", t.resourceId()).text("resourceType", t.resourceType().apiName())
                    .text("key", t.key()).text("value", t.value()));
            o.text("nextToken", result.nextToken());
        };
    }
}
