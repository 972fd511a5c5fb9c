# hwt real-program benchmark: a Perl interpreter workload (hashes, regexes,
# string building, sort).
my %h;
my $s = 0;
for my $i (1 .. 2500) {
	my $k = "key" . ($i * 7919 % 10007);
	$h{$k} .= chr(97 + $i % 26);
	$s += length($k) if $k =~ /^key(\d*)7$/;
}
my @k = sort { $h{$a} cmp $h{$b} || $a cmp $b } keys %h;
print scalar(@k), " ", $s, " ", $k[0], "\n";
