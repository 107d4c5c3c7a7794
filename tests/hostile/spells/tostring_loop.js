// a busy toString, called by a native conversion
String({ toString() { for (;;) {} } });
print("SURVIVED");
