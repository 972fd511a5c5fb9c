# hwt real-program benchmark: gzip's input, 80 KiB of pseudo-random English
# words (fixed seed: the same bytes on every machine with the same awk).
BEGIN {
	srand(42)
	split("the of and to in is that for it as was with be by on not he this are or his from at which but have an they you were her she there been one all we their has would when if so no out up said what its about into than them can only other time new some could these two may first then do any like my now over such our man me even most made after also did many before must through back years where much your way well down should because each just those people how too", w, " ")
	for (i = 0; i < 40000; i++)
		printf "%s%s", w[int(rand() * 150) + 1], (i % 12 == 11) ? "\n" : " "
}
