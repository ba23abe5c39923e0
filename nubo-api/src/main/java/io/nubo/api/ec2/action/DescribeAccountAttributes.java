package io.nubo.api.ec2.action;

import io.nubo.api.ec2.Ec2Command;
import io.nubo.api.ec2.Ec2Context;
import io.nubo.api.ec2.Ec2Reply;
import io.nubo.api.ec2.query.Params;

import java.util.List;

/** DescribeAccountAttributes: supported platforms, the default VPC and the instance quota. */
public record DescribeAccountAttributes(List<String> names) implements Ec2Command {
    public static DescribeAccountAttributes parse(Params p) {
        return new DescribeAccountAttributes(p.strings("AttributeName"));
    }

    @Override
    public Ec2Reply execute(Ec2Context c) {
        var attributes = c.services().regions().accountAttributes(c.caller(), names);
        return o -> o.list("accountAttributeSet", attributes, (x, a) -> x.text("attributeName", a.name())
                .list("attributeValueSet", a.values(), (y, v) -> y.text("attributeValue", v)));
    }
}
