package io.nubo.api.ec2;

import io.nubo.api.ec2.xml.XmlOut;

/** The members of an action's answer, written inside {@code <ActionResponse>} after {@code requestId}. */
@FunctionalInterface
public interface Ec2Reply {
    void write(XmlOut out);

    /** The answer of actions with no modelled output: {@code <return>true</return>}. */
    Ec2Reply TRUE = out -> out.bool("return", true);
}
