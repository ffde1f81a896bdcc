package dev.runeforge.common.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.SplittableRandom;

import dev.runeforge.testsupport.TestBus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The {@code <ns>-directory} contract against a real NATS: codes the game instance allocates, the gateway finds. */
class DirectoryBucketIT {
    @RegisterExtension
    final TestBus bus = new TestBus();

    @Test
    void theGatewayFindsTheRoomAGameInstanceAllocatedUntilItsCodeIsReleased() throws Exception {
        DirectoryBucket gateway = DirectoryBucket.lazy(bus.nc(), bus.subjects());
        assertEquals(Optional.empty(), gateway.session("WOLF-RUNE-1234"), "no bucket yet: no room, no error");
        NatsClients.ensureDirectory(bus.nc(), bus.subjects());
        DirectoryBucket game = DirectoryBucket.open(bus.nc(), bus.subjects());
        String code = game.allocate("s1", new SplittableRandom(7));
        assertTrue(code.matches("[A-Z]+-[A-Z]+-\\d{4}"), code);
        assertEquals(Optional.of("s1"), gateway.session(code));
        game.release(code);
        assertEquals(Optional.empty(), gateway.session(code));
    }

    @Test
    void aCodeTakenByALiveRoomIsNeverHandedOutAgain() throws Exception {
        NatsClients.ensureDirectory(bus.nc(), bus.subjects());
        DirectoryBucket game = DirectoryBucket.open(bus.nc(), bus.subjects());
        String first = game.allocate("s1", new SplittableRandom(42));
        String second = game.allocate("s2", new SplittableRandom(42)); // draws `first` again, then another
        assertNotEquals(first, second);
        assertEquals(Optional.of("s1"), game.session(first));
        assertEquals(Optional.of("s2"), game.session(second));
    }

    @Test
    void aShortCodeOfAnOlderRoomIsStillFoundAndWhatIsNoCodeIsNotLookedUp() throws Exception {
        NatsClients.ensureDirectory(bus.nc(), bus.subjects());
        bus.nc().keyValue(bus.subjects().directoryBucket()).create("WOLF-1234", "old".getBytes(StandardCharsets.UTF_8));
        DirectoryBucket gateway = DirectoryBucket.lazy(bus.nc(), bus.subjects());
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
