"""A synchronous test that calls asyncio.run between async tests leaves no unclosed event loop behind (before the
fix in conftest, the last test here failed: the orphaned loop's socket was collected in it, and the same thing
failed a random test of the suite now and then). The tests run in file order; the last one collects garbage."""
import asyncio
import gc


async def test_an_async_test_first():
    await asyncio.sleep(0)


def test_a_sync_test_that_runs_its_own_loop():
    asyncio.run(asyncio.sleep(0))


async def test_another_async_test():
    await asyncio.sleep(0)


def test_and_another_sync_one():
    asyncio.run(asyncio.sleep(0))


def test_nothing_unclosed_is_collected():
    gc.collect()  # an unclosed loop's ResourceWarning here fails this test (filterwarnings = error)
