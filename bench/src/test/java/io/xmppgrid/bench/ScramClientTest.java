package io.xmppgrid.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ScramClientTest {

    @Test // RFC 7677 §3: the SCRAM-SHA-256 example exchange
    void rfc7677Example() {
        ScramClient c = new ScramClient("user", "pencil", "rOprNGfwEbeRWgbNEkqO");
        assertEquals("n,,n=user,r=rOprNGfwEbeRWgbNEkqO", c.clientFirst());
        assertEquals("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
                c.clientFinal("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"));
        assertTrue(c.verifyServerFinal("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="));
    }
}
