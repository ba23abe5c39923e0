package io.nubo.control;

import io.nubo.core.NuboException;
import io.nubo.core.model.NewAccessKey;
import io.nubo.core.model.Principal;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IdentityServiceTest {
    @Test
    void theAdminIsCreatedOnceAndItsKeyWorks() throws Exception {
        try (ControlFixture f = new ControlFixture(false)) {
            assertThat(f.cp.identity().bootstrapAdmin()).isEmpty();
            assertThat(f.count("SELECT count(*) FROM accounts WHERE role = 'admin'")).isEqualTo(1);
        }
    }

    @Test
    void secretsAreStoredSealedNeverInPlainText() throws Exception {
        try (ControlFixture f = new ControlFixture(false)) {
            NewAccessKey k = f.cp.identity().createAccount(f.admin, "acme", Optional.empty());
            List<byte[]> stored = f.db.jdbi().withHandle(h -> h.createQuery("SELECT secret_sealed FROM access_keys")
                    .mapTo(byte[].class).list());
            byte[] plain = k.secretAccessKey().getBytes(StandardCharsets.UTF_8);
            for (byte[] s : stored) {
                assertThat(new String(s, StandardCharsets.ISO_8859_1)).doesNotContain(new String(plain, StandardCharsets.ISO_8859_1));
            }
            Principal p = f.cp.identity().authenticate(k.accessKeyId(), k.secretAccessKey());
            assertThat(p.accountId()).isEqualTo(k.accountId());
            assertThat(p.isAdmin()).isFalse();
        }
    }

    @Test
    void aWrongSecretARevokedKeyAndADisabledAccountAreAllAuthFailures() throws Exception {
        try (ControlFixture f = new ControlFixture(false)) {
            NewAccessKey k = f.cp.identity().createAccount(f.admin, "acme", Optional.empty());
            assertAuthFailure(() -> f.cp.identity().authenticate(k.accessKeyId(), k.secretAccessKey() + "x"));
            assertAuthFailure(() -> f.cp.identity().authenticate("NKAAAAAAAAAAAAAAAAAA", k.secretAccessKey()));

            f.cp.identity().setAccountEnabled(f.admin, k.accountId(), false);
            assertAuthFailure(() -> f.cp.identity().authenticate(k.accessKeyId(), k.secretAccessKey()));
            f.cp.identity().setAccountEnabled(f.admin, k.accountId(), true);
            assertThat(f.cp.identity().authenticate(k.accessKeyId(), k.secretAccessKey()).accountId()).isEqualTo(k.accountId());

            f.cp.identity().revokeAccessKey(f.admin, k.accessKeyId());
            assertAuthFailure(() -> f.cp.identity().authenticate(k.accessKeyId(), k.secretAccessKey()));
        }
    }

    @Test
    void accountNamesAreUniqueAndValidated() throws Exception {
        try (ControlFixture f = new ControlFixture(false)) {
            f.cp.identity().createAccount(f.admin, "acme", Optional.empty());
            assertThatThrownBy(() -> f.cp.identity().createAccount(f.admin, "acme", Optional.empty()))
                    .isInstanceOf(NuboException.class).extracting(e -> ((NuboException) e).errorCode().code())
                    .isEqualTo("InvalidAccountName.Duplicate");
            assertThatThrownBy(() -> f.cp.identity().createAccount(f.admin, "bad name!", Optional.empty()))
                    .extracting(e -> ((NuboException) e).errorCode().code()).isEqualTo("InvalidParameterValue");
            Principal tenant = f.tenant("other");
            assertThatThrownBy(() -> f.cp.identity().createAccount(tenant, "sneaky", Optional.empty()))
                    .extracting(e -> ((NuboException) e).errorCode().code()).isEqualTo("UnauthorizedOperation");
            assertThat(f.count("SELECT count(*) FROM accounts")).isEqualTo(3);
        }
    }

    private static void assertAuthFailure(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOf(NuboException.class)
                .extracting(e -> ((NuboException) e).errorCode().code()).isEqualTo("AuthFailure");
    }
}
