package io.nubo.server;

import picocli.CommandLine.Option;

/** The API options of {@code nubo up} and {@code nubo server}. */
final class ApiMixin {
    @Option(names = "--ec2-rate-limit", defaultValue = "1", paramLabel = "<scale>",
            description = "EC2 request throttling per account, as a multiple of EC2's documented rates: 1 is EC2's, "
                    + "10 allows ten times as much, 0 turns it off (default ${DEFAULT-VALUE})")
    double ec2RateScale;

    double scale() {
        if (!(ec2RateScale >= 0) || Double.isInfinite(ec2RateScale)) {
            throw new picocli.CommandLine.TypeConversionException("--ec2-rate-limit must be a number >= 0, e.g. 1, 10 or 0 (off)");
        }
        return ec2RateScale;
    }
}
