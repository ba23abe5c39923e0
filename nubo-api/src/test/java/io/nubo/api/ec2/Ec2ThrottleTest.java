package io.nubo.api.ec2;

import io.nubo.core.ErrorCode;
import io.nubo.core.NuboException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class Ec2ThrottleTest {
    static final List<String> FILTERED = List.of("Action", "Version", "Filter.1.Name", "Filter.1.Value.1");
    static final List<String> BARE = List.of("Action", "Version");
    final AtomicLong now = new AtomicLong();
    final Ec2Throttle throttle = new Ec2Throttle(1, now::get);

    @Test
    void aBucketAllowsItsSizeAtOnceThenItsRefillRate() {
        for (int i = 0; i < 100; i++) {
            throttle.admit("a", "DescribeInstances", FILTERED, 0);
        }
        assertLimited(() -> throttle.admit("a", "DescribeInstances", FILTERED, 0));
        now.addAndGet(1_000_000_000L);
        for (int i = 0; i < 20; i++) {
            throttle.admit("a", "DescribeInstances", FILTERED, 0);
        }
        assertLimited(() -> throttle.admit("a", "DescribeInstances", FILTERED, 0));
    }

    @Test
    void accountsAndActionsHaveTheirOwnBuckets() {
        for (int i = 0; i < 100; i++) {
            throttle.admit("a", "DescribeInstances", FILTERED, 0);
        }
        throttle.admit("b", "DescribeInstances", FILTERED, 0);
        throttle.admit("a", "DescribeVolumes", FILTERED, 0);
    }

    @Test
    void listingEverythingHasTheSmallerBucket() {
        for (int i = 0; i < 50; i++) {
            throttle.admit("a", "DescribeInstances", BARE, 0);
        }
        assertLimited(() -> throttle.admit("a", "DescribeInstances", BARE, 0));
        assertThat(Ec2Throttle.requestRate("DescribeInstances", BARE)).isEqualTo(Ec2Throttle.UNFILTERED);
        assertThat(Ec2Throttle.requestRate("DescribeInstances", FILTERED)).isEqualTo(Ec2Throttle.NON_MUTATING);
        assertThat(Ec2Throttle.requestRate("CreateTags", BARE)).isEqualTo(Ec2Throttle.MUTATING);
    }

    @Test
    void launchesAreAlsoLimitedByInstanceCount() {
        throttle.admit("a", "RunInstances", BARE, 1000);
        assertLimited(() -> throttle.admit("a", "RunInstances", BARE, 1));
        now.addAndGet(1_000_000_000L);
        throttle.admit("a", "RunInstances", BARE, 2);
        assertLimited(() -> throttle.admit("a", "RunInstances", BARE, 1));
        // Terminating is its own resource bucket.
        throttle.admit("a", "TerminateInstances", BARE, 5);
    }

    @Test
    void aScaleMultipliesSizesAndRatesAndZeroTurnsItOff() {
        Ec2Throttle tenfold = new Ec2Throttle(10, now::get);
        for (int i = 0; i < 1000; i++) {
            tenfold.admit("a", "DescribeInstances", FILTERED, 0);
        }
        assertLimited(() -> tenfold.admit("a", "DescribeInstances", FILTERED, 0));
        Ec2Throttle off = Ec2Throttle.off();
        for (int i = 0; i < 10_000; i++) {
            off.admit("a", "RunInstances", BARE, 1000);
        }
        assertThatThrownBy(() -> new Ec2Throttle(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Ec2Throttle(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    }

    static void assertLimited(Runnable r) {
        assertThatThrownBy(r::run).isInstanceOfSatisfying(NuboException.class,
                e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.REQUEST_LIMIT_EXCEEDED));
    }
}
