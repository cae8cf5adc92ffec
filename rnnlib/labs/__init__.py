"""The labs behind the Compare and Inside pages: the race, the recorded gates, gradient reach, the memory lab.

Each is its own module, imported by name (``from rnnlib.labs.race import race``); importing this
package loads none of them, so it stays light.
"""
