package io.nubo.server;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PostgresUriTest {
    @Test
    void aLibpqUriBecomesAJdbcUrlWithItsUserAndPassword() {
        PostgresUri u = PostgresUri.parse("postgresql://nubo:s%40cr%2Bt@db.example:6543/nubo?sslmode=require");
        assertThat(u.jdbcUrl()).isEqualTo("jdbc:postgresql://db.example:6543/nubo?sslmode=require");
        assertThat(u.user()).contains("nubo");
        assertThat(u.password()).contains("s@cr+t");
        assertThat(u.toString()).doesNotContain("s@cr+t").doesNotContain("s%40cr");

        PostgresUri plain = PostgresUri.parse("postgres://127.0.0.1/nubo");
        assertThat(plain.jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1/nubo");
        assertThat(plain.user()).isEmpty();
        assertThat(plain.password()).isEqualTo(Optional.empty());
        assertThat(PostgresUri.parse("postgresql://[::1]:5432/nubo").jdbcUrl()).isEqualTo("jdbc:postgresql://[::1]:5432/nubo");
    }

    @Test
    void whatIsNotAPostgresUriIsRefusedSayingWhy() {
        assertThatThrownBy(() -> PostgresUri.parse("mysql://db/nubo")).hasMessageContaining("starts with postgresql://");
        assertThatThrownBy(() -> PostgresUri.parse("postgresql:///nubo")).hasMessageContaining("names no host");
        assertThatThrownBy(() -> PostgresUri.parse("postgresql://db")).hasMessageContaining("names no database");
        assertThatThrownBy(() -> PostgresUri.parse("postgresql://db/a/b")).hasMessageContaining("names no database");
        assertThatThrownBy(() -> PostgresUri.parse("postgresql://db:x/nubo")).isInstanceOf(IllegalArgumentException.class);
    }
}
