/* SPDX-License-Identifier: MIT */
/* Replays every file of the fuzz corpus (and examples/) through the fuzz target, one forked
 * child per file so a crash is reported per input. Used by `make check` without libFuzzer. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_one(const char *path)
{
	FILE *f = fopen(path, "re");
	char *buf;
	size_t len;

	if (!f)
		return 1;
	buf = malloc(1 << 17);
	if (!buf) {
		fclose(f);
		return 1;
	}
	len = fread(buf, 1, 1 << 17, f);
	fclose(f);
	LLVMFuzzerTestOneInput((const uint8_t *)buf, len);
	free(buf);
	return 0;
}

static void replay_dir(const char *dir, unsigned *pass, unsigned *fail)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		char path[4096];
		int st = 0;
		pid_t pid;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		fflush(NULL);
		pid = fork();
		if (pid == 0)
			_exit(replay_one(path));
		if (pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
		    WEXITSTATUS(st) == 0) {
			(*pass)++;
		} else {
			(*fail)++;
			printf("not ok - %s\n", path);
		}
	}
	closedir(d);
}

int main(int argc, char **argv)
{
	const char *src = getenv("NSCTL_SRCDIR");
	char dir[4096];
	unsigned pass = 0, fail = 0;

	if (argc > 1) {
		for (int i = 1; i < argc; i++)
			fail += replay_one(argv[i]) != 0;
		return fail != 0;
	}
	if (!src)
		src = ".";
	snprintf(dir, sizeof(dir), "%s/tests/fuzz/corpus", src);
	replay_dir(dir, &pass, &fail);
	snprintf(dir, sizeof(dir), "%s/examples", src);
	replay_dir(dir, &pass, &fail);
	printf("fuzz-replay: %u passed, %u failed\n", pass, fail);
	return fail ? EXIT_FAILURE : EXIT_SUCCESS;
}
