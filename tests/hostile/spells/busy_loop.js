// a plain VM loop: the cooperative check (interrupt handler) ends it
for (;;) {}
print("SURVIVED");
