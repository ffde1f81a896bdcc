package dev.runeforge.common.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.SplittableRandom;

import dev.runeforge.testsupport.TestNats;
import io.nats.client.Connection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The {@code <ns>-directory} contract against a real NATS: codes the game instance allocates, the gateway finds. */
class DirectoryBucketIT {
    private String ns;
    private Subjects subjects;
    private Connection nc;

    @BeforeEach
    void setUp() throws Exception {
        ns = TestNats.newNamespace();
        subjects = new Subjects(ns);
        nc = TestNats.connect();
    }

    @AfterEach
    void tearDown() throws Exception {
        nc.close();
        TestNats.deleteNamespace(ns);
    }

    @Test
    void theGatewayFindsTheRoomAGameInstanceAllocatedUntilItsCodeIsReleased() throws Exception {
        DirectoryBucket gateway = DirectoryBucket.lazy(nc, subjects);
        assertEquals(Optional.empty(), gateway.session("WOLF-RUNE-1234"), "no bucket yet: no room, no error");
        NatsClients.ensureDirectory(nc, subjects);
        DirectoryBucket game = DirectoryBucket.open(nc, subjects);
        String code = game.allocate("s1", new SplittableRandom(7));
        assertTrue(code.matches("[A-Z]+-[A-Z]+-\\d{4}"), code);
        assertEquals(Optional.of("s1"), gateway.session(code));
        game.release(code);
        assertEquals(Optional.empty(), gateway.session(code));
    }

    @Test
    void aCodeTakenByALiveRoomIsNeverHandedOutAgain() throws Exception {
        NatsClients.ensureDirectory(nc, subjects);
        DirectoryBucket game = DirectoryBucket.open(nc, subjects);
        String first = game.allocate("s1", new SplittableRandom(42));
        String second = game.allocate("s2", new SplittableRandom(42)); // draws `first` again, then another
        assertNotEquals(first, second);
        assertEquals(Optional.of("s1"), game.session(first));
        assertEquals(Optional.of("s2"), game.session(second));
    }

    @Test
    void aShortCodeOfAnOlderRoomIsStillFoundAndWhatIsNoCodeIsNotLookedUp() throws Exception {
        NatsClients.ensureDirectory(nc, subjects);
        nc.keyValue(subjects.directoryBucket()).create("WOLF-1234", "old".getBytes(StandardCharsets.UTF_8));
        DirectoryBucket gateway = DirectoryBucket.lazy(nc, subjects);
        assertEquals(Optional.of("old"), gateway.session("WOLF-1234"));
        assertEquals(Optional.empty(), gateway.session("wolf-1234"));
        assertEquals(Optional.empty(), gateway.session("WOLF-RUNE-12345"));
        assertEquals(Optional.empty(), gateway.session(null));
    }

    @Test
    void everyRandomCodeIsOneTheGatewayAccepts() {
        SplittableRandom rng = new SplittableRandom(1);
        for (int i = 0; i < 1000; i++) {
            String code = DirectoryBucket.randomCode(rng);
            assertTrue(DirectoryBucket.CODE.matcher(code).matches(), code);
        }
        assertEquals(86, DirectoryBucket.WORDS.stream().distinct().count());
    }
}
